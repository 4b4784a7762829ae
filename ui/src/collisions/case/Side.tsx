import { Card, Timeline, Typography } from "antd";
import type { CollisionDetail } from "../../api/generated/CollisionDetail";
import type { LeadDetail } from "../../api/generated/LeadDetail";
import { useI18n, type MessageKey } from "../../i18n";
import type { RepName } from "../useReps";
import { ClaimItem } from "./ClaimItem";
import { freeText } from "../../format";

/** One rep's side: claims, a 仍然登记 with its reason, and the follow-ups (deals included)
 * on the case's leads that the viewer may see. */
export function Side({ rep, detail, leads, name, company }: { rep: string; detail: CollisionDetail; leads: Record<string, LeadDetail>; name: RepName; company: (id: string) => string }) {
  const { t, dateTime } = useI18n();
  const claims = detail.case.claims.filter((c) => c.rep === rep);
  const followups = Object.entries(leads).flatMap(([leadId, d]) =>
    d.history.filter((e) => e.kind === "followup" && e.rep === rep).map((e) => ({ leadId, e })),
  );
  // 仍然登记: the rep saw the warning and registered anyway — their reason, for the manager.
  const acknowledged = Object.entries(leads).flatMap(([leadId, d]) =>
    d.history.filter((e) => e.kind === "duplicate_acknowledged" && e.rep === rep).map((e) => ({ leadId, e })),
  );
  const items = [
    ...acknowledged.map(({ leadId, e }) => ({
      key: e.id,
      color: "orange",
      children: (
        <div data-testid="case-acknowledged">
          <Typography.Text strong>{t("event.duplicate_acknowledged")}</Typography.Text>{" "}
          <Typography.Text type="secondary">{company(leadId)}</Typography.Text>
          {e.collaborate && <div>{t("event.collaborate")}</div>}
          {e.note && <div>{t("event.reason", { reason: freeText(e.note, t) })}</div>}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("case.deviceTime", { time: dateTime(e.device_time) })}
          </Typography.Text>
        </div>
      ),
    })),
    ...claims.map((c) => ({ key: c.event_id, color: c.took_effect ? "blue" : "gray", children: <ClaimItem c={c} company={company(c.lead_id)} name={name} /> })),
    ...followups.map(({ leadId, e }) => ({
      key: e.id,
      color: e.followup === "deal" ? "green" : "blue",
      children: (
        <div data-testid="case-followup">
          <Typography.Text strong>
            {t("event.followup")} · {t(`followup.kind.${e.followup}` as MessageKey)}
          </Typography.Text>{" "}
          <Typography.Text type="secondary">{company(leadId)}</Typography.Text>
          {e.note && <div>{freeText(e.note, t)}</div>}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {e.after ? `${t("detail.after", { time: dateTime(e.after) })} · ` : ""}
            {t("case.deviceTime", { time: dateTime(e.device_time) })}
          </Typography.Text>
        </div>
      ),
    })),
  ];
  return (
    <Card size="small" title={name(rep)} data-testid="case-side" style={{ height: "100%" }}>
      <Timeline items={items} />
      {followups.length === 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("case.noFollowups")}
        </Typography.Text>
      )}
    </Card>
  );
}
