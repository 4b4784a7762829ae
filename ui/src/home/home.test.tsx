import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { App as AntApp } from "antd";
import { App } from "../app/App";
import { I18nProvider } from "../i18n";
import { SessionProvider } from "../app/session";
import { fakeCore, lead, SESSION } from "../test/fakeCore";
import { HomeScreen } from "./HomeScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = "";
});

const HOUR = 3_600_000;
const soon = lead({ company: "深圳市腾达科技有限公司", id: "L1", owner: "lina", owner_name: "李娜", masked: false, protected_until: new Date(Date.now() + 5 * HOUR).toISOString() });
const openCase = {
  id: "c1",
  kind: "duplicate_leads",
  branch: "华南",
  lead_ids: ["L1", "L2"],
  reps: ["lina", "wang"],
  claims: [],
  duplicates: [],
  surfaced_at: new Date(Date.now() - HOUR).toISOString(),
  state: "open",
  due_at: new Date(Date.now() + 23 * HOUR).toISOString(),
  overdue: false,
  open_appeals: 0,
  branches: ["华南"],
  decider: "branch_manager" as const,
};
const appealed = { ...openCase, id: "c2", state: "decided", open_appeals: 1 };

function core() {
  return fakeCore({
    session: () => SESSION,
    lead_list: (a) => ((a as { filter?: string }).filter === "expiring" ? { items: [soon], total: 1, total_capped: false, offset: 0, limit: 20 } : { items: [], total: 0, total_capped: false, offset: 0, limit: 50 }),
    collisions_list: () => ({ cases: [openCase, appealed] }),
    rep_list: () => ({ reps: [{ id: "lina", name: "李娜", branch: "华南", region: null, role: "rep", active: true }, { id: "wang", name: "王强", branch: "华南", region: null, role: "rep", active: true }] }),
    lead_get: () => ({ lead: soon, history: [], missing: [], cases: [] }),
    notifications_list: () => ({
      items: [
        { id: "expiring:L1:1", kind: "protection_ending", case_id: "", lead_id: "L1", at: null, title_zh: "保护期即将结束", title_en: "Protection ending", body_zh: "【深圳市腾达科技有限公司】的保护期将在 24 小时内结束", body_en: "x", seen: false, delivered: false },
      ],
      unseen: 1,
      total: 1,
    }),
  });
}

describe("home screen (工作台)", () => {
  it("is the first screen", async () => {
    core();
    render(<App />);
    expect(await screen.findByText("工作台 · 李娜-华南")).toBeInTheDocument();
  });

  it("lists what expires within 24 h with a reminder, the open cases naming me, pending appeals and recent activity", async () => {
    const c = core();
    render(
      <I18nProvider locale="zh-CN">
        <SessionProvider>
          <AntApp>
            <HomeScreen />
          </AntApp>
        </SessionProvider>
      </I18nProvider>,
    );
    expect(await screen.findByTestId("home-reminder")).toHaveTextContent("您有 1 个客户的保护期将在 24 小时内结束");
    expect(screen.getByTestId("home-reminder")).toHaveTextContent("电话不延长");
    expect(await within(screen.getByTestId("home-expiring")).findByText("深圳市腾达科技有限公司")).toBeInTheDocument();
    const cases = screen.getByTestId("home-cases");
    expect(await within(cases).findByText(/李娜.*王强/)).toBeInTheDocument();
    expect(within(cases).getAllByTestId("home-case")).toHaveLength(1);
    expect(within(screen.getByTestId("home-appeals")).getAllByTestId("home-case")).toHaveLength(1);
    expect(within(screen.getByTestId("home-activity")).getByText("保护期即将结束")).toBeInTheDocument();
    // A rep asks for the cases naming them, the expiring filter for their own customers.
    expect(c.calls.find((x) => x.cmd === "collisions_list")?.args).toEqual({ mine: true });
    expect(c.calls.find((x) => x.cmd === "lead_list")?.args).toMatchObject({ filter: "expiring" });
  });
});
