import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App as AntApp } from "antd";
import { I18nProvider } from "../i18n";
import { SessionProvider } from "../app/session";
import { NewLeadScreen } from "../screens/NewLeadScreen";
import { ApiFailure, fakeCore, lead, SESSION } from "../test/fakeCore";
import { checkInput } from "./useDuplicateCheck";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("checkInput", () => {
  it("sends only identifying fields, and nothing for a lone character", () => {
    expect(checkInput({ company: "腾" })).toBeNull();
    expect(checkInput({ need: "工控机", notes: "x" })).toBeNull();
    expect(checkInput({ company: " 腾达 ", need: "工控机" })).toEqual({ company: "腾达" });
    expect(checkInput({ phone: "139****3333" })).toEqual({ phone: "139****3333" });
    // The city tells a firm of the same name elsewhere apart, but alone identifies nobody.
    expect(checkInput({ company: "华强电子", region: "广州" })).toEqual({ company: "华强电子", region: "广州" });
    expect(checkInput({ region: "广州" })).toBeNull();
  });
});

describe("New lead form", () => {
  it("warns while typing, naming the owner, and turns the button into 'register anyway'", async () => {
    const owned = lead({ company: "深圳市腾达科技有限公司" });
    const core = fakeCore({
      session: () => SESSION,
      dedup_check: (args) => {
        const company = (args as { fields: { company?: string } }).fields.company ?? "";
        const hit = company.includes("腾达");
        return {
          matches: hit
            ? [{ lead: owned, score: 0.92, reasons: [{ kind: "company_name_similar", zh: "公司名称相似度 92%", en: "company name 92% similar" }] }]
            : [],
        };
      },
    });
    render(
      <I18nProvider locale="zh-CN">
        <SessionProvider>
          <AntApp>
            <NewLeadScreen />
          </AntApp>
        </SessionProvider>
      </I18nProvider>,
    );
    fireEvent.change(screen.getByTestId("lead-company"), { target: { value: "腾达科技" } });
    const warning = await screen.findByTestId("duplicate-warning");
    expect(warning).toHaveTextContent(/该客户正在由【王强-华东】跟进，保护期至 \S+/);
    expect(warning).toHaveTextContent("公司名称相似度 92%");
    expect(warning).toHaveTextContent("92%");
    expect(screen.getByTestId("lead-submit")).toHaveTextContent("仍然登记");
    // Debounced: one query for the settled text, not one per keystroke.
    expect(core.calls.filter((c) => c.cmd === "dedup_check").map((c) => c.args)).toEqual([
      { fields: { company: "腾达科技" }, limit: 5 },
    ]);
  });

  it("'register anyway' records which warning the rep saw", async () => {
    const owned = lead({ company: "深圳市腾达科技有限公司", id: "known-lead-1" });
    const core = fakeCore({
      session: () => SESSION,
      dedup_check: () => ({ matches: [{ lead: owned, score: 0.92, reasons: [] }] }),
      lead_add: (args) => ({ lead: lead({ company: "腾达科技", masked: false }), missing: [], duplicates: [], args }),
    });
    render(
      <I18nProvider locale="zh-CN">
        <SessionProvider>
          <AntApp>
            <NewLeadScreen />
          </AntApp>
        </SessionProvider>
      </I18nProvider>,
    );
    fireEvent.change(screen.getByTestId("lead-company"), { target: { value: "腾达科技" } });
    fireEvent.change(screen.getByTestId("lead-contact"), { target: { value: "陈明" } });
    fireEvent.change(screen.getByTestId("lead-need"), { target: { value: "工控机" } });
    await screen.findByTestId("duplicate-warning");
    fireEvent.click(screen.getByTestId("lead-submit"));
    // 仍然登记 is not one click: a confirmation names whom it collides with and asks why.
    const dialog = await screen.findByTestId("ack-dialog");
    expect(dialog).toHaveTextContent("深圳市腾达科技有限公司");
    expect(dialog).toHaveTextContent("负责人：");
    expect(dialog).toHaveTextContent("保护期至");
    expect(dialog).toHaveTextContent("联系方式不显示");
    expect(screen.getByTestId("ack-view")).toHaveTextContent("查看该客户");
    expect(screen.getByTestId("ack-collaborate")).toHaveTextContent("申请协作");
    fireEvent.click(screen.getByTestId("ack-confirm"));
    expect(await screen.findByText("请填写登记理由，经理裁决时会看到")).toBeInTheDocument();
    expect(core.calls.some((c) => c.cmd === "lead_add")).toBe(false);
    fireEvent.change(screen.getByTestId("ack-reason"), { target: { value: "客户主动来电" } });
    fireEvent.click(screen.getByTestId("ack-confirm"));
    await waitFor(() => expect(core.calls.some((c) => c.cmd === "lead_add")).toBe(true));
    const add = core.calls.find((c) => c.cmd === "lead_add")?.args as {
      acknowledged_duplicates: string[] | null;
      acknowledgement_reason: string | null;
      collaborate: boolean | null;
    };
    expect(add.acknowledged_duplicates).toEqual(["known-lead-1"]);
    expect(add.acknowledgement_reason).toBe("客户主动来电");
    expect(add.collaborate).toBe(false);
  });

  it("shows the core's refusal beside the field it names, in the UI's language", async () => {
    fakeCore({
      session: () => SESSION,
      dedup_check: () => ({ matches: [] }),
      lead_add: () => {
        throw new ApiFailure(400, "invalid_argument", 'phone "1234" has 4 digits; a phone number has at least 7', "phone_too_short", {
          phone: "1234",
          digits: 4,
          min: 7,
        });
      },
    });
    render(
      <I18nProvider locale="en-US">
        <SessionProvider>
          <AntApp>
            <NewLeadScreen />
          </AntApp>
        </SessionProvider>
      </I18nProvider>,
    );
    fireEvent.change(screen.getByTestId("lead-company"), { target: { value: "腾达科技" } });
    fireEvent.change(screen.getByTestId("lead-phone"), { target: { value: "1234" } });
    fireEvent.change(screen.getByTestId("lead-need"), { target: { value: "工控机" } });
    fireEvent.click(screen.getByTestId("lead-submit"));
    const text = await screen.findByText("Phone “1234” has 4 digits; a phone number has at least 7");
    expect(text.closest(".ant-form-item")).toContainElement(screen.getByTestId("lead-phone"));
    expect(text.closest(".ant-form-item")).not.toContainElement(screen.getByTestId("lead-company"));
  });

  it("warns a distributor with the hub's answer: protected until …, nothing about the owner; 稍后再试 when rate-limited", async () => {
    const distributor = { ...SESSION, rep: { ...SESSION.rep, id: "agent-7", name: "远航分销", role: "distributor" as const } };
    let answer: unknown = { status: "protected", until: "2026-12-04T08:00:00Z" };
    fakeCore({ session: () => distributor, dedup_check: () => ({ matches: [], online: answer }) });
    render(
      <I18nProvider locale="zh-CN">
        <SessionProvider>
          <AntApp>
            <NewLeadScreen />
          </AntApp>
        </SessionProvider>
      </I18nProvider>,
    );
    fireEvent.change(screen.getByTestId("lead-company"), { target: { value: "申通物流" } });
    const notice = await screen.findByTestId("online-check");
    expect(notice).toHaveTextContent(/该客户已在保护期内（至 \S+.*），不能报备/);
    expect(screen.getByTestId("lead-submit")).toHaveClass("ant-btn-dangerous");
    answer = { status: "rate_limited" };
    fireEvent.change(screen.getByTestId("lead-company"), { target: { value: "申通物流公司" } });
    await waitFor(() => expect(screen.getByTestId("online-check")).toHaveTextContent("服务器查重过于频繁，请稍后再试"));
    answer = { status: "offline", detail: "connection refused" };
    fireEvent.change(screen.getByTestId("lead-company"), { target: { value: "申通物流有限公司" } });
    await waitFor(() => expect(screen.getByTestId("online-check")).toHaveTextContent("无法连接服务器"));
  });
});
