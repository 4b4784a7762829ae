import { describe, expect, it } from "vitest";
import { formatDateTime, formatDuration, formatNumber, formatPercent, freeText, msUntil, SEALED_TEXT } from "./format";
import { translator } from "./i18n/translate";

const H = 3_600_000;

describe("formatDuration", () => {
  const zh = translator("zh-CN");
  const en = translator("en-US");
  it("shows the two largest units", () => {
    expect(formatDuration(2 * 24 * H + 5 * H + 59_000, zh)).toBe("2 天 5 小时");
    expect(formatDuration(5 * H + 12 * 60_000, zh)).toBe("5 小时 12 分钟");
    expect(formatDuration(3 * 24 * H, en)).toBe("3 d");
    expect(formatDuration(12 * 60_000 + 30_000, en)).toBe("12 min");
  });
  it("never shows a negative duration", () => {
    expect(formatDuration(-H, zh)).toBe("0 分钟");
  });
});

describe("locale formatting", () => {
  it("groups numbers per locale", () => {
    expect(formatNumber(1234567, "en-US")).toBe("1,234,567");
    expect(formatNumber(1234567, "zh-CN")).toBe("1,234,567");
    expect(formatPercent(0.0432, "en-US")).toBe("4.3%");
  });
  it("formats dates differently per locale", () => {
    const iso = "2026-11-25T06:30:00Z";
    const zh = formatDateTime(iso, "zh-CN");
    const en = formatDateTime(iso, "en-US");
    expect(zh).toContain("2026");
    expect(en).toContain("2026");
    expect(zh).not.toBe(en);
    expect(en).toMatch(/Nov/);
  });
  it("returns the input for an unparsable date rather than 'Invalid Date'", () => {
    expect(formatDateTime("not a date", "zh-CN")).toBe("not a date");
  });
  it("computes time left until a moment", () => {
    expect(msUntil("2026-01-01T01:00:00Z", Date.parse("2026-01-01T00:00:00Z"))).toBe(H);
  });
});

describe("freeText", () => {
  it("shows a note sealed under another's key as sealed, in the UI's language", () => {
    expect(freeText(SEALED_TEXT, translator("zh-CN"))).toBe("（已加密）");
    expect(freeText(SEALED_TEXT, translator("en-US"))).toBe("(sealed)");
    expect(freeText("客户要求周五演示", translator("en-US"))).toBe("客户要求周五演示");
  });
});
