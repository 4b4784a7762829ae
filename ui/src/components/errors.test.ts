import { describe, expect, it } from "vitest";
import { ERROR_CODES, REASONS, type ReasonName } from "../api/generated/reasons";
import { CommandError, toCommandError } from "../api/transport";
import { formatDateTime } from "../format";
import { catalog, LOCALES, translator, type MessageKey } from "../i18n/translate";
import { errorField, errorText, formError } from "./errors";

describe("the catalogs word every reason the core can give", () => {
  for (const locale of LOCALES) {
    it(`${locale}: a sentence per reason, using each of its params`, () => {
      const messages = catalog(locale) as Record<string, string>;
      const problems: string[] = [];
      for (const [reason, params] of Object.entries(REASONS)) {
        const sentence = messages[`reason.${reason}`];
        if (sentence === undefined) {
          problems.push(`reason.${reason} is missing`);
          continue;
        }
        for (const p of Object.keys(params)) if (!sentence.includes(`{${p}}`)) problems.push(`reason.${reason} does not use {${p}}`);
        for (const [, used] of sentence.matchAll(/\{(\w+)\}/g))
          if (!(used in params)) problems.push(`reason.${reason} uses {${used}}, which the core does not send`);
      }
      expect(problems).toEqual([]);
    });
    it(`${locale}: a sentence per error code`, () => {
      const messages = catalog(locale) as Record<string, string>;
      expect(ERROR_CODES.filter((c) => !(`error.${c}` in messages))).toEqual([]);
    });
  }
});

describe("errorText", () => {
  const zh = translator("zh-CN");
  const en = translator("en-US");
  const cooldown = { code: "conflict", reason: "cooldown", params: { until: "2026-03-07T01:00:00Z" }, message: "you released ..." };

  it("words a reason in the UI's language, dates in the UI's style", () => {
    const e = toCommandError("lead_claim", cooldown);
    expect(e.reason).toBe("cooldown");
    expect(errorText(zh, e)).toBe(`您最近释放或失去了该客户，${formatDateTime("2026-03-07T01:00:00Z", "zh-CN")} 后才能重新认领`);
    expect(errorText(en, e)).toBe(
      `You released or lost this customer recently: you can claim it again from ${formatDateTime("2026-03-07T01:00:00Z", "en-US")}`,
    );
  });

  it("words fields, object kinds and roles through the catalog", () => {
    const required = toCommandError("x", { code: "invalid_argument", reason: "field_required", params: { field: "company" }, message: "" });
    expect(errorText(zh, required)).toBe("请填写公司名称");
    const missing = toCommandError("x", { code: "not_found", reason: "not_found", params: { kind: "collision_case", id: "c9" }, message: "" });
    expect(errorText(en, missing)).toBe("Collision case c9 not found");
    const role = toCommandError("x", { code: "forbidden", reason: "role_required", params: { roles: ["manager"] }, message: "" });
    expect(errorText(zh, role)).toBe("只有经理可以执行此操作");
  });

  it("the access token's refusal is a reason, not a pattern in the message", () => {
    const token = toCommandError("session", { code: "forbidden", reason: "token_invalid", params: {}, message: "whatever" });
    expect(errorText(zh, token)).toContain("访问令牌缺失或已失效");
    const other = toCommandError("session", { code: "forbidden", message: "token mentioned, but no reason" });
    expect(errorText(zh, other)).not.toContain("访问令牌");
  });

  it("falls back to the code and the core's message for a reason newer than the UI", () => {
    const e = toCommandError("x", { code: "conflict", reason: "from_the_future", params: { a: 1 }, message: "new rule" });
    expect(e.reason).toBeUndefined();
    expect(errorText(zh, e)).toBe((catalog("zh-CN")["error.conflict" as MessageKey] as string).replace("{message}", "new rule"));
    expect(errorText(zh, new CommandError("x", "transport", "offline"))).toContain("offline");
  });
});

describe("errorField", () => {
  const failure = (reason: ReasonName, params: Record<string, unknown>) =>
    toCommandError("x", { code: "invalid_argument", reason, params, message: "" });
  it("names the field a reason concerns", () => {
    expect(errorField(failure("field_required", { field: "reason" }))).toBe("reason");
    expect(errorField(failure("phone_character", { phone: "abc", character: "a" }))).toBe("phone");
    expect(errorField(failure("split_total", { total: 90 }))).toBe("shares");
    expect(errorField(failure("in_pool", {}))).toBeUndefined();
  });
  it("places it on a form only when the form has that field", () => {
    const t = translator("zh-CN");
    expect(formError(t, failure("email_invalid", { email: "chen@" }), ["company", "email"] as const).field).toBe("email");
    expect(formError(t, failure("email_invalid", { email: "chen@" }), ["owner"] as const).field).toBeUndefined();
  });
});
