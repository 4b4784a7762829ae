/**
 * One customer: its fields (masked when someone else follows it), its claim state and,
 * for those allowed to see it, its history — registrations, claims, follow-ups,
 * releases, handovers — with device time and evidence window, the record that settles
 * disputes (docs/RULES.md rule 5).
 */
import { Alert, Button, Descriptions, Drawer, Empty, Skeleton, Tag, Timeline, Typography } from "antd";
import { useState } from "react";
import type { EventView } from "../api/generated/EventView";
import { useCommand } from "../api/useCommand";
import { ErrorAlert } from "../components/ErrorAlert";
import { reasonText } from "../components/errors";
import { useI18n, type MessageKey } from "../i18n";
import { catalog } from "../i18n/translate";
import { LeadEditDialog } from "./LeadEditDialog";
import { missingText } from "./leadFields";
import { Protection } from "./Protection";
import { RelateDialog, RelationList } from "./Relations";
import { StateTag } from "./StateTag";
import { GradePicker, GradeTag } from "./Grade";
import { useSession } from "../app/session";
import { freeText } from "../format";

const FIELD_LABELS: [keyof import("../api/generated/LeadFields").LeadFields, MessageKey][] = [
  ["contact", "newLead.contact"],
  ["phone", "newLead.phone"],
  ["email", "newLead.email"],
  ["region", "newLead.region"],
  ["industry", "newLead.industry"],
  ["need", "newLead.need"],
  ["notes", "newLead.notes"],
];

function EventItem({ e }: { e: EventView }) {
  const { t, dateTime } = useI18n();
  const kindKey = `event.${e.kind}`;
  // An edit of the relations only is a link (关联客户), not an edit of the details.
  const relating = e.kind === "update" && e.fields?.relations !== undefined && Object.keys(e.fields).length === 1;
  const title = relating ? t("event.relate") : kindKey in catalog("zh-CN") ? t(kindKey as MessageKey) : e.kind;
  const followup = e.followup ? ` · ${t(`followup.kind.${e.followup}` as MessageKey)}` : "";
  return (
    <div data-testid="history-event">
      <Typography.Text strong>
        {title}
        {followup}
      </Typography.Text>{" "}
      <Typography.Text type="secondary">{e.rep_name ?? e.rep}</Typography.Text>
      {e.note && <div>{e.kind === "duplicate_acknowledged" ? t("event.reason", { reason: freeText(e.note, t) }) : freeText(e.note, t)}</div>}
      {e.kind === "handover" && e.from && e.to && (
        <div>{t("event.handoverTo", { from: e.from_name ?? e.from, to: e.to_name ?? e.to })}</div>
      )}
      {e.kind === "decide" && e.to && <div>{t("event.decidedOwner", { name: e.to_name ?? e.to })}</div>}
      {e.kind === "visit" && e.to && <div>{t("event.inviter", { name: e.to_name ?? e.to })}</div>}
      {e.collaborate && <div data-testid="event-collaborate">{t("event.collaborate")}</div>}
      {e.acknowledged_leads && e.acknowledged_leads.length > 0 ? (
        <div data-testid="acknowledged-leads">
          {e.acknowledged_leads.map((l) => (
            <div key={l.id}>
              {l.owner_name
                ? t("event.acknowledgedOwned", { company: l.company, owner: l.owner_name })
                : t("event.acknowledgedCustomer", { company: l.company })}
            </div>
          ))}
        </div>
      ) : (
        e.acknowledged &&
        e.acknowledged.length > 0 && (
          <div data-testid="acknowledged-leads">{t("event.acknowledgedLeads", { n: e.acknowledged.length })}</div>
        )
      )}
      <div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("detail.deviceTime", { time: dateTime(e.device_time) })}
          {e.after && ` · ${t("detail.after", { time: dateTime(e.after) })}`}
        </Typography.Text>
      </div>
      {e.ignored && <Tag color="warning">{t("detail.ignored", { reason: reasonText(t, e.ignored.reason, e.ignored.params) })}</Tag>}
    </div>
  );
}

/** `onChanged` runs after an edit, so the list behind the drawer can refresh. */
export function LeadDrawer({ id, onClose, onChanged }: { id: string | null; onClose: () => void; onChanged?: () => void }) {
  const { t, dateTime, locale } = useI18n();
  const detail = useCommand("lead_get", { id: id ?? "" }, { enabled: id !== null });
  const d = id !== null && detail.data?.lead.id === id ? detail.data : undefined;
  const [editing, setEditing] = useState<string | null>(null);
  const [relating, setRelating] = useState(false);
  // The core says who may edit (the owner; anyone for an incomplete registration).
  const canEdit = d !== undefined && d.lead.editable && !d.lead.masked;
  const me = useSession().session?.rep;
  // 客户等级: the owner or a manager sets it, also on a pool customer.
  const canGrade = d !== undefined && d.lead.state !== "merged" && (me?.role === "manager" || (me !== undefined && d.lead.owner === me.id));
  const completing = d?.lead.state === "incomplete";
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={560}
      title={d?.lead.fields.company ?? t("detail.title")}
      destroyOnClose
      extra={
        canEdit && (
          <Button type={completing ? "primary" : "default"} data-testid="lead-edit" onClick={() => setEditing(d.lead.id)}>
            {t(completing ? "edit.complete" : "edit.button")}
          </Button>
        )
      }
    >
      {detail.error ? (
        <ErrorAlert error={detail.error} onRetry={detail.reload} />
      ) : !d ? (
        <Skeleton active />
      ) : (
        <div data-testid="lead-detail">
          {(d.cases ?? []).map((c) => (
            <Alert
              key={c.id}
              type={c.state === "decided" ? "info" : "warning"}
              showIcon
              style={{ marginBottom: 12 }}
              data-testid="lead-case"
              message={t(`leadCase.${c.state}`, { reps: c.rep_names.join(locale === "zh-CN" ? "、" : ", ") })}
              action={
                <Button size="small" onClick={() => (window.location.hash = `#/collisions/${c.id}`)} data-testid="lead-case-open">
                  {t("leadCase.view")}
                </Button>
              }
            />
          ))}
          {d.missing.length > 0 && (
            <Typography.Paragraph type="warning" data-testid="detail-missing">
              {t("edit.missing", { missing: missingText(t, d.missing) })}
            </Typography.Paragraph>
          )}
          <Descriptions column={1} size="small" bordered style={{ marginBottom: 24 }}>
            <Descriptions.Item label={t("search.col.status")}>
              <StateTag state={d.lead.state} />
              {d.lead.state === "protected" && <Protection until={d.lead.protected_until} />}
            </Descriptions.Item>
            <Descriptions.Item label={t("search.col.owner")}>{d.lead.owner_name ?? t("common.none")}</Descriptions.Item>
            <Descriptions.Item label={t("grade.label")}>
              {canGrade ? (
                <GradePicker
                  id={d.lead.id}
                  grade={d.lead.fields.grade}
                  onChanged={() => {
                    detail.reload();
                    onChanged?.();
                  }}
                />
              ) : (
                d.lead.fields.grade ? <GradeTag grade={d.lead.fields.grade} /> : t("common.none")
              )}
            </Descriptions.Item>
            {FIELD_LABELS.filter(([k]) => d.lead.fields[k]).map(([k, label]) => (
              <Descriptions.Item key={k} label={t(label)}>
                <span className={d.lead.masked && (k === "contact" || k === "phone" || k === "email") ? "lg-masked" : undefined}>
                  {String(d.lead.fields[k])}
                </span>
              </Descriptions.Item>
            ))}
            {d.lead.registered_at && (
              <Descriptions.Item label={t("detail.registeredAt")}>{dateTime(d.lead.registered_at)}</Descriptions.Item>
            )}
            {d.lead.claimed_at && <Descriptions.Item label={t("detail.claimedAt")}>{dateTime(d.lead.claimed_at)}</Descriptions.Item>}
          </Descriptions>
          {!d.lead.masked && (
            <div style={{ marginBottom: 24 }} data-testid="lead-relations">
              <Typography.Title level={5}>
                {t("detail.relations")}{" "}
                {canEdit && (
                  <Button size="small" data-testid="lead-relate" onClick={() => setRelating(true)}>
                    {t("relation.button")}
                  </Button>
                )}
              </Typography.Title>
              <RelationList
                id={d.lead.id}
                relations={d.relations ?? []}
                canEdit={canEdit}
                onChanged={() => {
                  detail.reload();
                  onChanged?.();
                }}
              />
            </div>
          )}
          <Typography.Title level={5}>{t("detail.history")}</Typography.Title>
          {d.lead.masked ? (
            <Typography.Text type="secondary">{t("detail.maskedHistory")}</Typography.Text>
          ) : d.history.length === 0 ? (
            <Empty description={t("detail.noHistory")} />
          ) : (
            <Timeline items={[...d.history].reverse().map((e) => ({ key: e.id, color: e.ignored ? "gray" : "blue", children: <EventItem e={e} /> }))} />
          )}
        </div>
      )}
      <RelateDialog
        lead={relating && d ? { id: d.lead.id, company: d.lead.fields.company } : null}
        onClose={() => setRelating(false)}
        onSaved={() => {
          setRelating(false);
          detail.reload();
          onChanged?.();
        }}
      />
      <LeadEditDialog
        id={editing}
        onClose={() => {
          // A partial save may have happened (still incomplete): show what the core holds.
          setEditing(null);
          detail.reload();
        }}
        onSaved={() => {
          setEditing(null);
          detail.reload();
          onChanged?.();
        }}
      />
    </Drawer>
  );
}
