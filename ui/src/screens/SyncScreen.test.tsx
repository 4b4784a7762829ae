import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { App as AntApp } from "antd";
import { I18nProvider } from "../i18n";
import { SessionProvider } from "../app/session";
import { ApiFailure, fakeCore, SESSION } from "../test/fakeCore";
import { parseEnrolLink, SyncScreen } from "./SyncScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderSync() {
  render(
    <I18nProvider locale="zh-CN">
      <SessionProvider>
        <AntApp>
          <SyncScreen />
        </AntApp>
      </SessionProvider>
    </I18nProvider>,
  );
}

const REPORT = {
  pushed: 3,
  pulled: 1200,
  applied: 1100,
  touched_leads: ["a", "b"],
  synced_at: "2026-11-22T08:00:00Z",
  cursor: 7,
  requests: 2,
  bytes_sent: 10,
  bytes_received: 20,
  clock_skew_secs: 2,
  clock_off: false,
};

describe("enrolment link", () => {
  it("reads the hub and the token from a manager's invitation link", () => {
    expect(parseEnrolLink(" leadguard://enroll?hub=https%3A%2F%2Fhub.example.com&token=lge_abc ")).toEqual({ hub_url: "https://hub.example.com", token: "lge_abc" });
    expect(parseEnrolLink("lge_abc")).toBeNull();
    expect(parseEnrolLink("leadguard://enroll?hub=https%3A%2F%2Fhub.example.com")).toBeNull();
  });
});

describe("Sync screen", () => {
  it("a pasted invitation link fills the hub address and the token", async () => {
    const core = fakeCore({
      session: () => SESSION,
      sync_enroll: () => ({ hub_url: "https://hub.example.com", device_id: "d1", rep: "lina", branch: "华南", role: "rep" }),
    });
    renderSync();
    const token = (await screen.findByTestId("hub-token")) as HTMLInputElement;
    fireEvent.change(token, { target: { value: "leadguard://enroll?hub=https%3A%2F%2Fhub.example.com&token=lge_abc" } });
    expect((screen.getByTestId("hub-url") as HTMLInputElement).value).toBe("https://hub.example.com");
    expect(token.value).toBe("lge_abc");
    fireEvent.submit(token.closest("form")!);
    await vi.waitFor(() => expect(core.calls.find((c) => c.cmd === "sync_enroll")?.args).toEqual({ hub_url: "https://hub.example.com", token: "lge_abc" }));
  });


  it("without a hub says so honestly and offers to join one", async () => {
    fakeCore({ session: () => SESSION });
    renderSync();
    expect(await screen.findByTestId("sync-not-configured")).toBeInTheDocument();
    expect(screen.getByText("从未同步")).toBeInTheDocument();
    expect(screen.getByTestId("hub-url")).toBeInTheDocument();
    expect(screen.queryByTestId("sync-now")).toBeNull();
  });

  it("syncs now and reports what moved, in the user's number format", async () => {
    const core = fakeCore({ session: () => ({ ...SESSION, hub_url: "https://hub.example" }), sync_run: () => REPORT });
    renderSync();
    fireEvent.click(await screen.findByTestId("sync-now"));
    expect(await screen.findByTestId("sync-report")).toHaveTextContent("上传 3 条，收到 1,200 条（新 1,100 条），涉及 2 个客户");
    expect(screen.queryByTestId("clock-banner")).toBeNull();
    expect(core.calls.filter((c) => c.cmd === "sync_run")).toHaveLength(1);
  });

  it("says when the hub was restored and this laptop re-sent what it lost", async () => {
    fakeCore({ session: () => ({ ...SESSION, hub_url: "https://hub.example.com" }), sync_run: () => ({ ...REPORT, resent_after_restore: 12 }) });
    renderSync();
    fireEvent.click(await screen.findByTestId("sync-now"));
    expect(await screen.findByTestId("sync-restored")).toHaveTextContent("本机已重新上传它丢失的 12 个变更");
  });

  it("warns with a banner when the device clock is off the hub's", async () => {
    const report = { ...REPORT, clock_skew_secs: 5 * 86400 + 61, clock_off: true };
    fakeCore({ session: () => ({ ...SESSION, hub_url: "https://hub.example" }), sync_run: () => report });
    renderSync();
    fireEvent.click(await screen.findByTestId("sync-now"));
    const banner = await screen.findByTestId("clock-banner");
    expect(banner).toHaveTextContent("本机时钟比服务器快 5 天 0 小时 1 分");
    expect(banner).toHaveTextContent("按服务器时间计算");
  });

  it("keeps warning from the last sync's measurement (a sync run from the CLI too)", async () => {
    fakeCore({ session: () => ({ ...SESSION, hub_url: "https://hub.example", last_clock_skew_secs: 2 * 86400 }) });
    renderSync();
    expect(await screen.findByTestId("clock-banner")).toHaveTextContent("本机时钟比服务器快 2 天 0 小时 0 分");
  });

  it("says so when the device clock is behind the hub's", async () => {
    const report = { ...REPORT, clock_skew_secs: -3 * 3600, clock_off: true };
    fakeCore({ session: () => ({ ...SESSION, hub_url: "https://hub.example" }), sync_run: () => report });
    renderSync();
    fireEvent.click(await screen.findByTestId("sync-now"));
    expect(await screen.findByTestId("clock-banner")).toHaveTextContent("本机时钟比服务器慢 0 天 3 小时 0 分");
  });

  it("shows the running sync's progress as the core reports it, then the report", async () => {
    let progress: unknown = { phase: "pushing", done: 40, total: 100 };
    let finish: (r: typeof REPORT) => void = () => {};
    fakeCore({
      session: () => ({ ...SESSION, hub_url: "https://hub.example" }),
      sync_run: () => new Promise((resolve) => (finish = resolve)),
      sync_progress: () => ({ progress }),
    });
    renderSync();
    fireEvent.click(await screen.findByTestId("sync-now"));
    expect(await screen.findByText("正在上传本机变更：40 / 100 条")).toBeInTheDocument();
    expect(screen.getByTestId("sync-progress")).toHaveAttribute("data-phase", "pushing");
    progress = { phase: "pulling", done: 1200, total: null };
    expect(await screen.findByText("正在接收同事的变更：已收到 1,200 条", undefined, { timeout: 2000 })).toBeInTheDocument();
    finish(REPORT);
    expect(await screen.findByTestId("sync-report")).toBeInTheDocument();
    expect(screen.queryByTestId("sync-progress")).toBeNull();
  });

  it("explains an unreachable hub in plain words", async () => {
    fakeCore({
      session: () => ({ ...SESSION, hub_url: "https://hub.example" }),
      sync_run: () => {
        throw new ApiFailure(502, "sync", "connection refused");
      },
    });
    renderSync();
    fireEvent.click(await screen.findByTestId("sync-now"));
    expect(await screen.findByRole("alert")).toHaveTextContent("无法连接同步服务器：connection refused");
  });
});
