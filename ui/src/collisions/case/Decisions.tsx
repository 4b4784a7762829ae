/** The case's decisions (superseded ones struck through) and its appeals. */
import { Card, Space, Tag, Timeline, Typography } from "antd";
import type { CollisionDetail } from "../../api/generated/CollisionDetail";
import { useI18n } from "../../i18n";
import { outcomeText } from "../parts";
import type { RepName } from "../useReps";
import { freeText } from "../../format";

export function Decisions({ detail, name, company }: { detail: CollisionDetail; name: RepName; company: (id: string) => string }) {
  const { t, dateTime } = useI18n();
  const r = detail.resolution;
  return (
    <Card size="small" title={t("case.decisions")} style={{ marginBottom: 16 }} data-testid="case-decisions">
      {r.decisions.length === 0 ? (
        <Typography.Text type="secondary">{t("case.noDecisions")}</Typography.Text>
      ) : (
        <Timeline
          items={r.decisions.map((d) => ({
            key: d.decision,
            color: d.superseded ? "gray" : r.state === "conflict" ? "red" : "green",
            children: (
              <div data-testid="case-decision">
                <Space wrap size={6}>
                  <Typography.Text strong delete={d.superseded}>
                    {outcomeText(t, d.outcome, name, company)}
                  </Typography.Text>
                  <Tag color={d.superseded ? "default" : "green"}>{t(d.superseded ? "case.superseded" : "case.standing")}</Tag>
                </Space>
                <div>{freeText(d.reason, t)}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t("case.decisionBy", { name: name(d.by) })} ·{" "}
                  {d.received_at ? t("case.receivedAt", { time: dateTime(d.received_at) }) : t("case.notSynced")} ·{" "}
                  {t("case.deviceTime", { time: dateTime(d.device_time) })}
                  {d.supersedes && ` · ${t("case.supersedes", { id: d.supersedes.slice(0, 8) })}`}
                </Typography.Text>
              </div>
            ),
          }))}
        />
      )}
      <Typography.Title level={5} style={{ marginTop: 8 }}>
        {t("case.appeals")}
      </Typography.Title>
      {r.appeals.length === 0 ? (
        <Typography.Text type="secondary">{t("case.noAppeals")}</Typography.Text>
      ) : (
        r.appeals.map((a) => (
          <div key={a.appeal} data-testid="case-appeal" style={{ marginBottom: 8 }}>
            <Space wrap size={6}>
              <Typography.Text strong>{t("case.appealBy", { name: name(a.by) })}</Typography.Text>
              {a.answered ? (
                <Tag color="green">{t("case.appeal.answered")}</Tag>
              ) : (
                <Tag color={a.overdue ? "red" : "orange"}>
                  {a.overdue ? t("case.appeal.overdue") : t("case.appeal.pending", { date: dateTime(a.due_at) })}
                </Tag>
              )}
              {a.late && <Tag color="default">{t("case.appeal.late")}</Tag>}
            </Space>
            <div>{freeText(a.note, t)}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {a.received_at ? t("case.receivedAt", { time: dateTime(a.received_at) }) : t("case.notSynced")} ·{" "}
              {t("case.deviceTime", { time: dateTime(a.device_time) })}
            </Typography.Text>
          </div>
        ))
      )}
    </Card>
  );
}
