import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { App as AntApp } from "antd";
import { I18nProvider } from "../i18n";
import { SessionProvider } from "../app/session";
import { fakeCore, SESSION } from "../test/fakeCore";
import type { Metrics } from "../api/generated/Metrics";

// jsdom has no canvas: the chart shows the series it was given instead.
vi.mock("./EChart", () => ({
  EChart: ({ option, testId }: { option: { series: { type: string; data: unknown[] }[] }; testId?: string }) => (
    <pre data-testid={testId}>{JSON.stringify(option.series.map((s) => [s.type, s.data]))}</pre>
  ),
}));
const { MetricsScreen, heatGrid, heatOption, escapeHtml } = await import("./MetricsScreen");

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const MANAGER = { ...SESSION, rep: { ...SESSION.rep, id: "zhang", name: "张经理", role: "manager" as const } };
const METRICS: Metrics = {
  since: "2026-08-24T00:00:00Z",
  until: "2026-11-22T00:00:00Z",
  claimed_leads: 200,
  leads_in_cases: 14,
  duplicate_claim_rate: 0.07,
  duplicate_claim_target: 0.05,
  protection_periods: 180,
  protection_periods_used: 120,
  protection_utilisation: 2 / 3,
  turnaround: { cases: 7, decided: 5, unsettled: 2, median_hours: 5.5, max_hours: 30, over_target: 1, target_hours: 24, appeals: 2, appeals_answered: 1, appeals_overdue: 0 },
  per_rep_month: [
    { rep: "lina", month: "2026-10", collisions: 2 },
    { rep: "wang", month: "2026-11", collisions: 3 },
  ],
  heat: [
    { lead_id: "A", company: "腾达科技", day: "2026-11-21", touches: 4, reps: 2 },
    { lead_id: "A", company: "腾达科技", day: "2026-11-20", touches: 1, reps: 1 },
    { lead_id: "B", company: "华强电子", day: "2026-11-21", touches: 2, reps: 2 },
  ],
  heat_days: 3,
  faults: [{ rep: "wang", grab: 2, unreported: 0, flying: 1, total: 3 }],
};

function wrap() {
  render(
    <I18nProvider locale="zh-CN">
      <SessionProvider>
        <AntApp>
          <MetricsScreen />
        </AntApp>
      </SessionProvider>
    </I18nProvider>,
  );
}

describe("metrics dashboard", () => {
  it("lays the heat map out as customers (busiest first) × the last days", () => {
    const g = heatGrid({ ...METRICS, until: "2026-11-21T12:00:00Z" });
    expect(g.days).toEqual(["2026-11-19", "2026-11-20", "2026-11-21"]);
    expect(g.customers).toEqual(["腾达科技", "华强电子"]);
    expect(g.cells).toContainEqual([2, 0, 4, 2]);
    expect(g.cells).toContainEqual([2, 1, 2, 2]);
  });

  it("colours heat-map cells by touches, not by the number of reps", () => {
    const i18n = { t: (k: string) => k, locale: "zh-CN" } as unknown as Parameters<typeof heatOption>[1];
    const option = heatOption({ ...METRICS, heat: [{ lead_id: "A", company: "腾达科技", day: "2026-11-21", touches: 3, reps: 1 }] }, i18n);
    const { dimension, pieces } = option.visualMap as { dimension: number; pieces: { min: number; max?: number; color: string }[] };
    const cell = option.series[0].data[0] as number[];
    const value = cell[dimension];
    expect(value).toBe(3);
    const piece = pieces.find((p) => value >= p.min && (p.max === undefined || value <= p.max));
    expect(piece?.color).toBe("#f5222d");
  });

  it("says nothing about the turnaround target before any case is decided", async () => {
    const undecided = { ...METRICS, turnaround: { ...METRICS.turnaround, decided: 0, over_target: 0, median_hours: null, max_hours: null } };
    fakeCore({ session: () => MANAGER, rep_list: () => ({ reps: [] }), metrics: () => undecided });
    wrap();
    const kpi = await screen.findByTestId("kpi-turnaround");
    expect(kpi).not.toHaveTextContent("达标");
  });

  it("escapes company names for the chart's HTML tooltips", () => {
    expect(escapeHtml(`<img src=x onerror="alert(1)">&'`)).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
  });

  it("a manager sees the health metrics against their targets and the charts", async () => {
    const core = fakeCore({ session: () => MANAGER, rep_list: () => ({ reps: [] }), metrics: () => METRICS });
    wrap();
    const rate = await screen.findByTestId("kpi-dup-rate");
    expect(rate).toHaveTextContent("7%");
    expect(rate).toHaveTextContent("未达标");
    expect(rate).toHaveTextContent("14 / 200 个已认领客户涉及撞单，目标 < 5%");
    expect(screen.getByTestId("kpi-turnaround")).toHaveTextContent("5.5 小时");
    expect(screen.getByTestId("kpi-utilisation")).toHaveTextContent("66.7%");
    expect(screen.getByTestId("heat-map")).toHaveTextContent("heatmap");
    expect(screen.getByTestId("per-rep-chart")).toHaveTextContent("bar");
    expect(core.calls.find((c) => c.cmd === "metrics")?.args).toEqual({ days: 90, heat_days: 14 });
  });

  it("lists the reps found at fault in standing decisions, and the monthly clean-up report", async () => {
    fakeCore({
      session: () => MANAGER,
      rep_list: () => ({ reps: [{ id: "wang", name: "王强", branch: "华南", region: null, role: "rep", active: true }] }),
      metrics: () => METRICS,
      monthly_report: () => ({
        month: "2026-11",
        since: "2026-11-01T00:00:00Z",
        until: "2026-12-01T00:00:00Z",
        at: "2026-11-22T00:00:00Z",
        reps: [{ rep: "wang", name: "王强", held: 12, expiring: 2, registered: 5, claimed: 3, released: 1, expired: 4 }],
      }),
    });
    wrap();
    const row = await screen.findByTestId("fault-row");
    expect(row).toHaveTextContent("王强");
    expect(row.textContent).toMatch(/王强2013/);
    expect(await screen.findByTestId("monthly-row")).toHaveTextContent("王强1225314");
    expect(screen.getByTestId("monthly-report")).toHaveTextContent("月度清查 2026-11");
  });

  it("a rep is told the metrics are for managers, without asking the core", async () => {
    const core = fakeCore({ session: () => SESSION, rep_list: () => ({ reps: [] }) });
    wrap();
    expect(await screen.findByTestId("metrics-manager-only")).toHaveTextContent("指标仅对经理开放。");
    expect(core.calls.some((c) => c.cmd === "metrics")).toBe(false);
  });
});
