/**
 * Distributors' reports (分销报备). A distributor follows its own: when each lapses,
 * whether the branch accepted or rejected it and why. A branch manager works the
 * review queue (报备审核): accept (the validity starts afresh) or reject with a reason
 * (the customer goes to the pool). Rules and checks are the core's; this screen shows
 * them and sends the verdict.
 */
import { App, Button, Card, Empty, Input, Modal, Segmented, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import type { ReportItem } from "../api/generated/ReportItem";
import type { ReviewState } from "../api/generated/ReviewState";
import { useCommand, useWrite } from "../api/useCommand";
import { useSession } from "../app/session";
import { ErrorAlert } from "../components/ErrorAlert";
import { errorText } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { freeText, msUntil } from "../format";
import { useI18n } from "../i18n";
import { LeadDrawer } from "../leads/LeadDrawer";

const REVIEW_COLOUR: Record<ReviewState, string> = { pending: "gold", accepted: "green", rejected: "red" };
const DAY_MS = 86_400_000;

/** "剩 12 天" / "expires in 12 days", red within three days; "已失效" once lapsed. */
function Validity({ item }: { item: ReportItem }) {
  const { t, dateTime } = useI18n();
  if (!item.valid_until) return <Typography.Text type="secondary">{t("reports.notHeld")}</Typography.Text>;
  const left = msUntil(item.valid_until);
  const days = Math.max(0, Math.ceil(left / DAY_MS));
  return (
    <span data-testid="report-validity">
      {dateTime(item.valid_until)}{" "}
      <Typography.Text type={left < 3 * DAY_MS ? "danger" : "secondary"}>{t("reports.daysLeft", { days })}</Typography.Text>
    </span>
  );
}

export function ReportsScreen() {
  const { t, dateTime } = useI18n();
  const { message } = App.useApp();
  const { session } = useSession();
  const manager = session?.rep.role === "manager";
  const [pendingOnly, setPendingOnly] = useState(manager);
  const [open, setOpen] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<ReportItem | null>(null);
  const [reason, setReason] = useState("");
  const list = useCommand("report_list", { pending_only: pendingOnly, at: null });
  const review = useWrite("report_review");

  const send = async (item: ReportItem, verdict: "accept" | "reject", why?: string) => {
    try {
      await review.mutateAsync({ id: item.lead.id, verdict, reason: why ?? null });
      message.success(t(verdict === "accept" ? "reports.acceptedToast" : "reports.rejectedToast", { company: item.lead.fields.company ?? item.lead.id }));
      setRejecting(null);
      setReason("");
      list.reload();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };

  const columns = [
    {
      title: t("reports.company"),
      key: "company",
      render: (_: unknown, i: ReportItem) => (
        <a onClick={() => setOpen(i.lead.id)} data-testid="report-company">
          {i.lead.fields.company ?? i.lead.id}
        </a>
      ),
    },
    ...(manager ? [{ title: t("reports.reporter"), key: "reporter", render: (_: unknown, i: ReportItem) => i.reporter_name ?? i.reporter }] : []),
    { title: t("reports.reportedAt"), key: "at", render: (_: unknown, i: ReportItem) => (i.reported_at ? dateTime(i.reported_at) : "—") },
    { title: t("reports.validUntil"), key: "valid", render: (_: unknown, i: ReportItem) => <Validity item={i} /> },
    {
      title: t("reports.review"),
      key: "review",
      render: (_: unknown, i: ReportItem) => (
        <Space direction="vertical" size={0}>
          <Tag color={REVIEW_COLOUR[i.review]} data-testid="report-review">
            {t(`reports.state.${i.review}`)}
          </Tag>
          {i.review_reason && (
            <Typography.Text type="secondary" data-testid="report-reason">
              {t("reports.reasonShown", { reason: freeText(i.review_reason, t) })}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    ...(manager
      ? [
          {
            title: "",
            key: "actions",
            render: (_: unknown, i: ReportItem) =>
              i.review === "pending" ? (
                <Space>
                  <Button size="small" type="primary" data-testid="report-accept" loading={review.isPending} onClick={() => send(i, "accept")}>
                    {t("reports.accept")}
                  </Button>
                  <Button size="small" danger data-testid="report-reject" onClick={() => setRejecting(i)}>
                    {t("reports.reject")}
                  </Button>
                </Space>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <>
      <PageHeader title={t(manager ? "reports.titleManager" : "reports.titleDistributor")} hint={t(manager ? "reports.hintManager" : "reports.hintDistributor")} />
      <Card
        extra={
          <Segmented
            data-testid="reports-filter"
            value={pendingOnly ? "pending" : "all"}
            onChange={(v) => setPendingOnly(v === "pending")}
            options={[
              { value: "pending", label: t("reports.pendingOnly", { n: list.data?.pending ?? 0 }) },
              { value: "all", label: t("reports.all") },
            ]}
          />
        }
      >
        {list.error ? (
          <ErrorAlert error={list.error} onRetry={list.reload} />
        ) : (
          <Table<ReportItem>
            rowKey={(i) => i.lead.id}
            loading={list.loading}
            dataSource={list.data?.items ?? []}
            columns={columns}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            locale={{ emptyText: <Empty description={t("reports.empty")} /> }}
            onRow={() => ({ "data-testid": "report-row" }) as React.HTMLAttributes<HTMLElement>}
          />
        )}
      </Card>
      <Modal
        open={rejecting !== null}
        title={t("reports.rejectTitle", { company: rejecting?.lead.fields.company ?? "" })}
        okText={t("reports.reject")}
        okButtonProps={{ danger: true, disabled: reason.trim() === "", id: "report-reject-confirm" }}
        onOk={() => rejecting && send(rejecting, "reject", reason.trim())}
        onCancel={() => setRejecting(null)}
        confirmLoading={review.isPending}
      >
        <Typography.Paragraph type="secondary">{t("reports.rejectHint")}</Typography.Paragraph>
        <Input.TextArea
          data-testid="report-reject-reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t("reports.rejectPlaceholder")}
          maxLength={500}
          autoSize={{ minRows: 2 }}
        />
      </Modal>
      <LeadDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
