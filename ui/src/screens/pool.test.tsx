import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App as AntApp } from "antd";
import { I18nProvider } from "../i18n";
import { SessionProvider } from "../app/session";
import { fakeCore, lead, SESSION } from "../test/fakeCore";
import { PoolScreen } from "./PoolScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

type Args = { filter?: string; search?: string; region?: string; limit?: number; offset?: number };

describe("pool (公海)", () => {
  it("pages through every customer with the total, searches and narrows by region, and says who followed each before", async () => {
    const total = 120;
    const core = fakeCore({
      session: () => SESSION,
      lead_list: (a) => {
        const { offset = 0, limit = 50 } = a as Args;
        const items = Array.from({ length: Math.min(limit, total - offset) }, (_, i) =>
          lead({ company: `公海客户${offset + i + 1}`, state: "pool", owner: null, owner_name: null, protected_until: null, previous_owner: "wang", previous_owner_name: "王强", pool_since: "2026-03-01T02:00:00Z", claimable: true }),
        );
        return { items, total, total_capped: false, offset, limit };
      },
    });
    render(
      <I18nProvider locale="zh-CN">
        <SessionProvider>
          <AntApp>
            <PoolScreen />
          </AntApp>
        </SessionProvider>
      </I18nProvider>,
    );
    expect(await screen.findByText("共 120 个客户")).toBeInTheDocument();
    expect(screen.getAllByTestId("lead-row")).toHaveLength(50);
    expect(screen.getAllByText("王强").length).toBe(50);
    expect(screen.getByText("原负责人")).toBeInTheDocument();
    fireEvent.click(screen.getByTitle("3"));
    expect(await screen.findByText("公海客户101")).toBeInTheDocument();
    expect(screen.getAllByTestId("lead-row")).toHaveLength(20);
    expect((core.calls.filter((c) => c.cmd === "lead_list").at(-1)?.args as Args).offset).toBe(100);
    // A filter starts again at the first page.
    fireEvent.change(screen.getByTestId("pool-region"), { target: { value: "华南" } });
    fireEvent.change(screen.getByTestId("pool-search"), { target: { value: "腾达" } });
    await waitFor(() => {
      const last = core.calls.filter((c) => c.cmd === "lead_list").at(-1)?.args as Args;
      expect(last).toMatchObject({ filter: "pool", search: "腾达", region: "华南", offset: 0 });
    });
  });

  it("a manager previews an assignment round with its reasons, then confirms it for exactly those customers", async () => {
    const manager = { ...SESSION, rep: { ...SESSION.rep, id: "zhang", name: "张经理", role: "manager" as const } };
    const item = (id: string, to: string | null, zh: string) => ({ lead_id: id, company: `客户${id}`, to, to_name: to, rule: 1, explanation_zh: zh, explanation_en: zh });
    const core = fakeCore({
      session: () => manager,
      lead_list: () => ({ items: [], total: 0, total_capped: false, offset: 0, limit: 50 }),
      assign_pool: (a) => {
        const dry = (a as { dry_run?: boolean }).dry_run;
        return dry
          ? { items: [item("A", "lina", "规则 1（华南） → 李娜（持有 2 个客户，团队中最少）"), item("B", null, "规则 1（华南）：团队中没有可接的销售")], assigned: 1 }
          : { items: [item("A", "lina", "规则 1（华南） → 李娜（持有 2 个客户，团队中最少）")], assigned: 1 };
      },
    });
    render(
      <I18nProvider locale="zh-CN">
        <SessionProvider>
          <AntApp>
            <PoolScreen />
          </AntApp>
        </SessionProvider>
      </I18nProvider>,
    );
    fireEvent.click(await screen.findByTestId("pool-assign"));
    expect(await screen.findByText("规则 1（华南） → 李娜（持有 2 个客户，团队中最少）")).toBeInTheDocument();
    expect(screen.getByText("规则 1（华南）：团队中没有可接的销售")).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("assign-confirm"));
    expect(await screen.findByText("已分配 1 个客户")).toBeInTheDocument();
    const real = core.calls.filter((c) => c.cmd === "assign_pool").at(-1)?.args;
    expect(real).toEqual({ leads: ["A"] });
  });
});
