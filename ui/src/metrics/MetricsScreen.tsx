/**
 * Health metrics (docs/RULES.md rule 14) from the core's `metrics` command: duplicate-claim rate
 * against its 5% target, protection-period utilisation, arbitration turnaround against
 * 24 h, collisions per month by rep, and the heat map of customers × days (3+ touches a
 * day in red). Computed from the local registry: no hub needed. Managers only.
 */
import { Alert, Card, Col, Empty, Row, Segmented, Skeleton, Statistic, Table, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import type { Metrics } from "../api/generated/Metrics";
import { CommandError } from "../api/transport";
import { useCommand } from "../api/useCommand";
import { useSession } from "../app/session";
import { ErrorAlert } from "../components/ErrorAlert";
import { ExportButtons } from "../components/ExportButtons";
import { PageHeader } from "../components/PageHeader";
import { useI18n, type I18n } from "../i18n";
import { useRepNames, type RepName } from "../collisions/useReps";
import { EChart } from "./EChart";
import { MonthlyReportCard } from "./MonthlyReport";

const PERIODS = [30, 90, 180] as const;
/** Three or more touches of one customer in a day is red (docs/RULES.md rule 6). */
export const HOT_TOUCHES = 3;

/** Heat map data: customers (rows, busiest first) × days (columns, oldest first). */
export function heatGrid(m: Pick<Metrics, "heat" | "heat_days" | "until">) {
  const end = new Date(m.until);
  const days: string[] = [];
  for (let i = m.heat_days - 1; i >= 0; i--) days.push(new Date(end.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  const totals = new Map<string, { company: string; touches: number }>();
  for (const c of m.heat) {
    const t = totals.get(c.lead_id) ?? { company: c.company || c.lead_id, touches: 0 };
    t.touches += c.touches;
    totals.set(c.lead_id, t);
  }
  const rows = [...totals.entries()].sort((a, b) => b[1].touches - a[1].touches || a[0].localeCompare(b[0]));
  const rowIndex = new Map(rows.map(([id], i) => [id, i]));
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const cells = m.heat
    .filter((c) => dayIndex.has(c.day))
    .map((c) => [dayIndex.get(c.day)!, rowIndex.get(c.lead_id)!, c.touches, c.reps] as [number, number, number, number]);
  return { days, customers: rows.map(([, v]) => v.company), cells };
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** A short day label in the user's locale (11/21, 11月21日), for the heat map's columns. */
const dayLabel = (locale: string) => {
  const f = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
  return (day: string) => f.format(new Date(`${day}T00:00:00Z`));
};

export function heatOption(m: Metrics, i18n: I18n) {
  const g = heatGrid(m);
  const day = dayLabel(i18n.locale);
  return {
    tooltip: {
      position: "top",
      formatter: (p: { value: [number, number, number, number] }) =>
        // ECharts renders tooltips as HTML: company names come from other people's data.
        `${escapeHtml(g.customers[p.value[1]])}<br/>${escapeHtml(day(g.days[p.value[0]]))}: ${escapeHtml(i18n.t("metrics.touches"))} ${p.value[2]}`,
    },
    grid: { left: 180, right: 24, top: 8, bottom: 64 },
    xAxis: { type: "category", data: g.days.map(day), splitArea: { show: true } },
    yAxis: { type: "category", data: g.customers, inverse: true, splitArea: { show: true }, axisLabel: { width: 160, overflow: "truncate" } },
    visualMap: {
      type: "piecewise",
      // Cells are [day, customer, touches, reps]: colour by touches (by default
      // ECharts would use the last value, the number of reps).
      dimension: 2,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      pieces: [
        { min: 1, max: 1, color: "#bae0ff", label: "1" },
        { min: 2, max: HOT_TOUCHES - 1, color: "#ffd591", label: HOT_TOUCHES === 3 ? "2" : `2–${HOT_TOUCHES - 1}` },
        { min: HOT_TOUCHES, color: "#f5222d", label: `≥ ${HOT_TOUCHES}` },
      ],
    },
    series: [{ type: "heatmap", data: g.cells, label: { show: true }, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }],
  };
}

function perRepOption(m: Metrics, name: RepName) {
  const months = [...new Set(m.per_rep_month.map((r) => r.month))].sort();
  const reps = [...new Set(m.per_rep_month.map((r) => r.rep))].sort();
  return {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: months },
    yAxis: { type: "value", minInterval: 1 },
    series: reps.map((rep) => ({
      name: name(rep),
      type: "bar",
      stack: "cases",
      data: months.map((mo) => m.per_rep_month.find((r) => r.rep === rep && r.month === mo)?.collisions ?? 0),
    })),
  };
}

function Kpi({ title, value, detail, ok, testId }: { title: string; value: string; detail: string; ok: boolean | null; testId: string }) {
  const { t } = useI18n();
  return (
    <Card size="small" data-testid={testId} style={{ height: "100%" }}>
      <Statistic title={title} value={value} valueStyle={ok === false ? { color: "#cf1322" } : undefined} />
      {ok !== null && <Tag color={ok ? "success" : "error"}>{t(ok ? "metrics.onTarget" : "metrics.offTarget")}</Tag>}
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
        {detail}
      </Typography.Paragraph>
    </Card>
  );
}

export function MetricsScreen() {
  const i18n = useI18n();
  const { t, percent, number } = i18n;
  const { session } = useSession();
  const [days, setDays] = useState<number>(90);
  const manager = session?.rep.role === "manager";
  const m = useCommand("metrics", { days, heat_days: 14 }, { enabled: manager });
  const name = useRepNames();
  const data = m.data;
  const heat = useMemo(() => (data ? heatOption(data, i18n) : null), [data, i18n]);
  const perRep = useMemo(() => (data ? perRepOption(data, name) : null), [data, name]);
  const hours = (h: number | null) => (h === null ? t("common.none") : t("metrics.hours", { n: number(Math.round(h * 10) / 10) }));
  const header = (
    <PageHeader
      title={t("metrics.title")}
      hint={t("metrics.hint")}
      extra={
        manager && (
          <Segmented<number>
            value={days}
            onChange={setDays}
            aria-label={t("metrics.period")}
            options={PERIODS.map((n) => ({ value: n, label: t("metrics.days", { n }) }))}
          />
        )
      }
    />
  );
  if (!manager || (m.error instanceof CommandError && m.error.code === "forbidden"))
    return (
      <>
        {header}
        <Alert type="info" showIcon message={t("metrics.managerOnly")} data-testid="metrics-manager-only" />
      </>
    );
  if (m.error)
    return (
      <>
        {header}
        <ErrorAlert error={m.error} onRetry={m.reload} />
      </>
    );
  if (!data)
    return (
      <>
        {header}
        <Skeleton active />
      </>
    );
  const tr = data.turnaround;
  return (
    <>
      {header}
      <ExportButtons what="metrics" bar />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }} data-testid="metrics">
        <Col xs={24} md={12} xl={6}>
          <Kpi
            testId="kpi-dup-rate"
            title={t("metrics.dupRate")}
            value={percent(data.duplicate_claim_rate)}
            ok={data.claimed_leads === 0 ? null : data.duplicate_claim_rate < data.duplicate_claim_target}
            detail={t("metrics.dupRateDetail", {
              cases: number(data.leads_in_cases),
              claimed: number(data.claimed_leads),
              target: percent(data.duplicate_claim_target),
            })}
          />
        </Col>
        <Col xs={24} md={12} xl={6}>
          <Kpi
            testId="kpi-utilisation"
            title={t("metrics.utilisation")}
            value={data.protection_utilisation === null ? t("common.none") : percent(data.protection_utilisation)}
            ok={null}
            detail={t("metrics.utilisationDetail", { used: number(data.protection_periods_used), total: number(data.protection_periods) })}
          />
        </Col>
        <Col xs={24} md={12} xl={6}>
          <Kpi
            testId="kpi-turnaround"
            title={t("metrics.turnaround")}
            value={hours(tr.median_hours)}
            ok={tr.decided === 0 && tr.over_target === 0 ? null : tr.over_target === 0}
            detail={t("metrics.turnaroundDetail", { max: hours(tr.max_hours), over: number(tr.over_target), target: number(tr.target_hours) })}
          />
        </Col>
        <Col xs={24} md={12} xl={6}>
          <Kpi
            testId="kpi-cases"
            title={t("metrics.cases")}
            value={number(tr.cases)}
            ok={null}
            detail={t("metrics.casesDetail", {
              decided: number(tr.decided),
              unsettled: number(tr.unsettled),
              appeals: number(tr.appeals),
              answered: number(tr.appeals_answered),
              overdue: number(tr.appeals_overdue),
            })}
          />
        </Col>
      </Row>
      <Card size="small" title={t("metrics.heat")} style={{ marginBottom: 16 }}>
        {data.heat.length === 0 || !heat ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("metrics.heatEmpty", { n: data.heat_days })} />
        ) : (
          <EChart option={heat} height={Math.max(200, 28 * heatGrid(data).customers.length + 90)} testId="heat-map" />
        )}
      </Card>
      <Card size="small" title={t("metrics.perRep")}>
        {data.per_rep_month.length === 0 || !perRep ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("metrics.perRepEmpty")} />
        ) : (
          <EChart option={perRep} height={260} testId="per-rep-chart" />
        )}
      </Card>
      <Card size="small" title={t("metrics.faults")} style={{ marginTop: 16 }} data-testid="metrics-faults">
        {data.faults.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("metrics.faultsEmpty")} />
        ) : (
          <Table
            size="small"
            rowKey="rep"
            pagination={false}
            dataSource={data.faults}
            onRow={() => ({ "data-testid": "fault-row" }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { key: "rep", title: t("monthly.rep"), render: (_: unknown, f: Metrics["faults"][number]) => name(f.rep) },
              { key: "grab", dataIndex: "grab", title: t("fault.kind.grab"), align: "right" as const },
              { key: "unreported", dataIndex: "unreported", title: t("fault.kind.unreported"), align: "right" as const },
              { key: "flying", dataIndex: "flying", title: t("fault.kind.flying"), align: "right" as const },
              { key: "total", dataIndex: "total", title: t("metrics.faultsTotal"), align: "right" as const },
            ]}
          />
        )}
      </Card>
      <MonthlyReportCard />
    </>
  );
}
