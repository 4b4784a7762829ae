/**
 * The monthly clean-up report (月度清查) per rep from the core's `monthly_report`: customers
 * held and expiring within 24 h now; registrations, pool claims, releases and expiries
 * (掉公海) this month. Exportable like the metrics.
 */
import { Card, Table } from "antd";
import type { RepMonthReport } from "../api/generated/RepMonthReport";
import { useCommand } from "../api/useCommand";
import { ErrorAlert } from "../components/ErrorAlert";
import { ExportButtons } from "../components/ExportButtons";
import { useI18n } from "../i18n";

export function MonthlyReportCard() {
  const { t } = useI18n();
  const r = useCommand("monthly_report", {});
  const columns = (
    [
      ["held", "monthly.held"],
      ["expiring", "monthly.expiring"],
      ["registered", "monthly.registered"],
      ["claimed", "monthly.claimed"],
      ["released", "monthly.released"],
      ["expired", "monthly.expired"],
    ] as const
  ).map(([key, label]) => ({ key, dataIndex: key, title: t(label), align: "right" as const }));
  return (
    <Card
      size="small"
      title={r.data ? t("monthly.title", { month: r.data.month }) : t("monthly.title", { month: "" })}
      extra={<ExportButtons what="monthly" />}
      style={{ marginTop: 16 }}
      data-testid="monthly-report"
    >
      {r.error ? (
        <ErrorAlert error={r.error} onRetry={r.reload} />
      ) : (
        <Table<RepMonthReport>
          size="small"
          rowKey="rep"
          pagination={false}
          loading={!r.data}
          dataSource={r.data?.reps ?? []}
          onRow={() => ({ "data-testid": "monthly-row" }) as React.HTMLAttributes<HTMLElement>}
          columns={[{ key: "name", dataIndex: "name", title: t("monthly.rep") }, ...columns]}
        />
      )}
    </Card>
  );
}
