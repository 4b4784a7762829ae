import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { App as AntApp } from "antd";
import { I18nProvider, type Locale } from "../i18n";
import { SessionProvider } from "../app/session";
import { fakeCore, SESSION } from "../test/fakeCore";
import { SyncScreen } from "./SyncScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const MANAGER = { ...SESSION, rep: { ...SESSION.rep, id: "zhangwei", name: "张伟", role: "manager" as const }, hub_url: "https://hub.example" };

const ITEM = {
  hash: "ab".repeat(32),
  hub_seq: 42,
  doc_id: "华南/4f1a2b3c4d5e6f70/0",
  scope: "branch:华南",
  reason: "unknown_kind",
  message: "unknown event kind \"poison\"",
  actor: "eeee0123456789abcdef",
  rep: "wangqiang",
  received_at: "2026-11-22T08:00:00Z",
  quarantined_at: "2026-11-22T08:05:00Z",
};

function renderSync(locale: Locale = "zh-CN") {
  render(
    <I18nProvider locale={locale}>
      <SessionProvider>
        <AntApp>
          <SyncScreen />
        </AntApp>
      </SessionProvider>
    </I18nProvider>,
  );
}

describe("Quarantine on the Sync screen", () => {
  it("lists refused changes for a manager with the reason in words", async () => {
    fakeCore({ session: () => MANAGER, quarantine_list: () => ({ items: [ITEM] }) });
    renderSync();
    const table = await screen.findByTestId("quarantine-table");
    expect(table).toHaveTextContent("未知的事件类型");
    expect(table).toHaveTextContent("unknown_kind");
    expect(table).toHaveTextContent("华南/4f1a2b3c4d5e6f70/0");
    expect(table).toHaveTextContent("wangqiang");
    expect(screen.getByText(/以下 1 条/)).toBeInTheDocument();
  });

  it("speaks English too and says when there is nothing", async () => {
    fakeCore({ session: () => MANAGER, quarantine_list: () => ({ items: [{ ...ITEM, reason: "root_rewrite" }] }) });
    renderSync("en-US");
    expect(await screen.findByTestId("quarantine-table")).toHaveTextContent("Overwrites or deletes a customer's history");
    cleanup();
    fakeCore({ session: () => MANAGER, quarantine_list: () => ({ items: [] }) });
    renderSync();
    expect(await screen.findByText("没有被隔离的变更。")).toBeInTheDocument();
  });

  it("is not shown to reps", async () => {
    const core = fakeCore({ session: () => ({ ...SESSION, hub_url: "https://hub.example" }), quarantine_list: () => ({ items: [ITEM] }) });
    renderSync();
    expect(await screen.findByTestId("sync-now")).toBeInTheDocument();
    expect(screen.queryByTestId("quarantine")).toBeNull();
    expect(core.calls.filter((c) => c.cmd === "quarantine_list")).toHaveLength(0);
  });
});
