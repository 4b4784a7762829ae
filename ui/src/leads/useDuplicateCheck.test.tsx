import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { App as AntApp } from "antd";
import { I18nProvider } from "../i18n";
import { SessionProvider } from "../app/session";
import { NewLeadScreen } from "../screens/NewLeadScreen";
import { fakeCore, lead, SESSION } from "../test/fakeCore";
import { mergeHits, probes } from "./useDuplicateCheck";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("probes", () => {
  it("asks only for what is specific enough to warn about", () => {
    expect(probes({ company: "腾达" })).toEqual([]);
    expect(probes({ company: "腾达科技" })).toEqual([{ search: "腾达科技", reason: "same_company_name" }]);
    expect(probes({ phone: "+86 139-1234-3333" })).toEqual([
      { search: "13912343333", reason: "same_phone" },
      { search: "+86 139-1234-3333", reason: "same_phone" },
    ]);
    expect(probes({ email: "not-an-email" })).toEqual([]);
    expect(probes({ email: "Wang@TengDa.cn" })).toEqual([{ search: "wang@tengda.cn", reason: "same_email" }]);
  });
});

describe("mergeHits", () => {
  it("keeps one match per lead with all its reasons, protected customers first", () => {
    const pooled = lead({ company: "腾达贸易", state: "pool", owner_name: null });
    const owned = lead({ company: "腾达科技" });
    const merged = mergeHits([
      { reason: "same_company_name", items: [pooled, owned] },
      { reason: "same_phone", items: [owned] },
    ]);
    expect(merged.map((m) => m.lead.id)).toEqual([owned.id, pooled.id]);
    expect(merged[0].reasons.map((r) => r.kind)).toEqual(["same_company_name", "same_phone"]);
  });
});

describe("New lead form", () => {
  it("warns while typing, naming the owner, and turns the button into 'register anyway'", async () => {
    const owned = lead({ company: "深圳市腾达科技有限公司" });
    const core = fakeCore({
      session: () => SESSION,
      lead_list: (args) => {
        const search = (args as { search?: string }).search ?? "";
        return { items: owned.fields.company!.includes(search) ? [owned] : [], total: 1, offset: 0, limit: 5 };
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
    expect(warning).toHaveTextContent("公司名称相同");
    expect(screen.getByTestId("lead-submit")).toHaveTextContent("仍然登记");
    // Debounced: one query for the settled text, not one per keystroke.
    expect(core.calls.filter((c) => c.cmd === "lead_list").map((c) => c.args)).toEqual([
      { filter: "all", search: "腾达科技", limit: 5 },
    ]);
  });
});
