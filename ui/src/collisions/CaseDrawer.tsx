/**
 * One collision case (撞单详情): the evidence of each side — every claim with its
 * evidence window [from, to] in hub time (the device clock shown for reference only)
 * and whether it took effect, the follow-ups and deals the viewer may see —, the
 * duplicate match with its score and reasons, the system's proposal explained in the
 * current language, the decisions and appeals, a conflict spelled out, the decision
 * form for managers and the appeal for the reps named.
 */
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Drawer, Input, Modal, Row, Skeleton, Space, Tag, Timeline, Typography } from "antd";
import { WarningOutlined } from "@ant-design/icons";
import { useEffect, useState } from "react";
import type { CaseClaim } from "../api/generated/CaseClaim";
import type { CollisionDetail } from "../api/generated/CollisionDetail";
import type { LeadDetail } from "../api/generated/LeadDetail";
import type { Window } from "../api/generated/Window";
import { call } from "../api/transport";
import { useSession } from "../app/session";
import { ErrorAlert } from "../components/ErrorAlert";
import { errorText } from "../components/errors";
import { useI18n, type MessageKey } from "../i18n";
import { DecisionForm } from "./DecisionForm";
import { CaseKindTag, CaseStateTag, joinNames, outcomeText, SlaTimer } from "./parts";
import { useRepNames, type RepName } from "./useReps";

type LoadState = { id: string; detail?: CollisionDetail; leads: Record<string, LeadDetail>; error?: unknown };

/** The case and, for each of its leads, what `lead_get` shows this viewer (history only where visible). */
function useCase(id: string | null) {
  const [state, setState] = useState<LoadState | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!id) return;
    let live = true;
    (async () => {
      try {
        const detail = await call("collision_get", { id });
        const leads: Record<string, LeadDetail> = {};
        await Promise.all(
          detail.case.lead_ids.map(async (l) => {
            try {
              leads[l] = await call("lead_get", { id: l });
            } catch {
              // Not readable on this device: the claims still show.
            }
          }),
        );
        if (live) setState({ id, detail, leads });
      } catch (error) {
        if (live) setState({ id, leads: {}, error });
      }
    })();
    return () => {
      live = false;
    };
  }, [id, tick]);
  const current = state && state.id === id ? state : null;
  return {
    ...current,
    reload: () => setTick((n) => n + 1),
    replace: (detail: CollisionDetail) => setState((s) => (s ? { ...s, detail } : s)),
  };
}

function WindowText({ w }: { w: Window }) {
  const { t, dateTime } = useI18n();
  return (
    <Typography.Text data-testid="claim-window">
      {t("case.window", {
        from: w.from ? dateTime(w.from) : t("case.window.since"),
        to: w.to ? dateTime(w.to) : t("case.window.open"),
      })}
    </Typography.Text>
  );
}

function ClaimItem({ c, company, name }: { c: CaseClaim; company: string; name: RepName }) {
  const { t, dateTime } = useI18n();
  return (
    <div data-testid="case-claim">
      <Space size={6} wrap>
        <Typography.Text strong>{t(`case.claim.${c.kind}` as MessageKey)}</Typography.Text>
        <Typography.Text type="secondary">{company}</Typography.Text>
        {c.took_effect ? <Tag color="success">{t("case.tookEffect")}</Tag> : <Tag color="default">{t("case.noEffect")}</Tag>}
      </Space>
      <div>
        <WindowText w={c.window} />
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="claim-device-time">
        {t("case.deviceTime", { time: dateTime(c.device_time) })}
      </Typography.Text>
      <ClaimTiming c={c} name={name} />
    </div>
  );
}

/** A device clock more than this far from the claim's hub-clamped time is called out. */
const SKEW_NOTE_SECS = 5 * 60;

/** When the claim counted (hub-clamped), how far the device clock was off, and whose protection it met. */
function ClaimTiming({ c, name }: { c: CaseClaim; name: RepName }) {
  const { t, dateTime } = useI18n();
  if (!c.effective_time) return null;
  const skew = Math.round((Date.parse(c.device_time) - Date.parse(c.effective_time)) / 1000);
  const abs = Math.abs(skew);
  const m = Math.round(abs / 60);
  const span = { days: Math.floor(m / 1440), hours: Math.floor((m % 1440) / 60), minutes: m % 60 };
  return (
    <div style={{ fontSize: 12 }}>
      <div data-testid="claim-effective-time">{t("case.effectiveTime", { time: dateTime(c.effective_time) })}</div>
      {abs > SKEW_NOTE_SECS && (
        <Typography.Text type="warning" data-testid="claim-skew">
          {t(skew > 0 ? "case.skew.ahead" : "case.skew.behind", span)}
        </Typography.Text>
      )}
      {c.held_by && (
        <div data-testid="claim-held">
          <Typography.Text type="danger">
            {c.held_until ? t("case.heldUntil", { rep: name(c.held_by), time: dateTime(c.held_until) }) : t("case.heldByDeal", { rep: name(c.held_by) })}
          </Typography.Text>
        </div>
      )}
    </div>
  );
}

/** One rep's side: claims and the follow-ups (deals included) on the case's leads that the viewer may see. */
function Side({ rep, detail, leads, name, company }: { rep: string; detail: CollisionDetail; leads: Record<string, LeadDetail>; name: RepName; company: (id: string) => string }) {
  const { t, dateTime } = useI18n();
  const claims = detail.case.claims.filter((c) => c.rep === rep);
  const followups = Object.entries(leads).flatMap(([leadId, d]) =>
    d.history.filter((e) => e.kind === "followup" && e.rep === rep).map((e) => ({ leadId, e })),
  );
  const items = [
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
          {e.note && <div>{e.note}</div>}
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

function Proposal({ detail, name }: { detail: CollisionDetail; name: RepName }) {
  const { t, locale } = useI18n();
  const p = detail.proposal;
  const zh = locale === "zh-CN";
  return (
    <Card size="small" title={t("case.proposal")} data-testid="case-proposal" style={{ marginBottom: 16 }}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Space wrap>
          <Typography.Text strong data-testid="proposal-outcome">
            {outcomeText(t, p.outcome, name)}
          </Typography.Text>
          {p.decided_by && <Tag>{t("case.proposal.decidedBy", { criterion: t(`criterion.${p.decided_by}` as MessageKey) })}</Tag>}
        </Space>
        <Typography.Paragraph style={{ marginBottom: 0 }} data-testid="proposal-explanation">
          {zh ? p.explanation_zh : p.explanation_en}
        </Typography.Paragraph>
        {p.steps.length > 0 && (
          <Descriptions size="small" column={1} bordered title={<Typography.Text type="secondary">{t("case.proposal.steps")}</Typography.Text>}>
            {p.steps.map((s) => (
              <Descriptions.Item
                key={s.criterion}
                label={
                  <Space size={4}>
                    {t(`criterion.${s.criterion}` as MessageKey)}
                    {s.decided && <Tag color="blue">✓</Tag>}
                  </Space>
                }
              >
                {(zh ? s.note_zh : s.note_en) && <div>{zh ? s.note_zh : s.note_en}</div>}
                {s.findings.map((f) => (
                  <div key={f.rep}>
                    {name(f.rep)}: {zh ? f.detail_zh : f.detail_en}{" "}
                    <Typography.Text type={f.kept ? "success" : "secondary"}>({t(f.kept ? "case.proposal.kept" : "case.proposal.dropped")})</Typography.Text>
                  </div>
                ))}
              </Descriptions.Item>
            ))}
          </Descriptions>
        )}
      </Space>
    </Card>
  );
}

function Decisions({ detail, name, company }: { detail: CollisionDetail; name: RepName; company: (id: string) => string }) {
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
                <div>{d.reason}</div>
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
            <div>{a.note}</div>
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

function AppealButton({ detail, onDone }: { detail: CollisionDetail; onDone: (d: CollisionDetail) => void }) {
  const { t, dateTime } = useI18n();
  const { message } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async () => {
    setTried(true);
    setFailure(null);
    if (note.trim() === "") return;
    setBusy(true);
    try {
      const res = await call("collision_appeal", { id: detail.case.id, note: note.trim() });
      void message.success(t("appeal.saved"));
      setOpen(false);
      setNote("");
      setTried(false);
      onDone(res);
    } catch (e) {
      setFailure(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Space>
        <Button danger onClick={() => setOpen(true)} data-testid="appeal-open">
          {t("appeal.button")}
        </Button>
        {detail.resolution.appeal_until && (
          <Typography.Text type="secondary">{t("appeal.until", { date: dateTime(detail.resolution.appeal_until) })}</Typography.Text>
        )}
      </Space>
      <Modal
        open={open}
        title={t("appeal.button")}
        okText={t("appeal.submit")}
        cancelText={t("common.cancel")}
        onOk={submit}
        confirmLoading={busy}
        onCancel={() => setOpen(false)}
        okButtonProps={{ "data-testid": "appeal-submit" } as never}
      >
        <Typography.Text>{t("appeal.note")}</Typography.Text>
        <Input.TextArea data-testid="appeal-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} status={tried && note.trim() === "" ? "error" : undefined} />
        {tried && note.trim() === "" && <Typography.Text type="danger">{t("appeal.err.note")}</Typography.Text>}
        {failure && <Alert type="error" showIcon message={failure} role="alert" style={{ marginTop: 8 }} />}
      </Modal>
    </>
  );
}

export function CaseDrawer({
  id,
  onClose,
  onChanged,
  company: companyFromQueue,
}: {
  id: string | null;
  onClose: () => void;
  onChanged: () => void;
  company: (leadId: string) => string | undefined;
}) {
  const { t, dateTime, locale } = useI18n();
  const { session } = useSession();
  const name = useRepNames();
  const c = useCase(id);
  const d = c.detail;
  const company = (leadId: string) =>
    d?.leads.find((l) => l.id === leadId)?.fields.company ?? c.leads?.[leadId]?.lead.fields.company ?? companyFromQueue(leadId) ?? leadId;
  const changed = (next: CollisionDetail) => {
    c.replace(next);
    c.reload();
    onChanged();
  };
  const me = session?.rep;
  const manager = me?.role === "manager";
  const named = !!me && !!d && d.case.reps.includes(me.id);
  const r = d?.resolution;
  const standing = r?.decisions.filter((x) => !x.superseded) ?? [];
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={920}
      title={d ? `${t("case.title")} · ${company(d.case.lead_ids[0])}` : t("case.title")}
      destroyOnClose
    >
      {c.error ? (
        <ErrorAlert error={c.error} onRetry={c.reload} />
      ) : !d || !r ? (
        <Skeleton active />
      ) : (
        <div data-testid="case-detail">
          <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t("collisions.col.kind")}>
              <CaseKindTag kind={d.case.kind} />
            </Descriptions.Item>
            <Descriptions.Item label={t("collisions.col.state")}>
              <CaseStateTag state={r.state} />
            </Descriptions.Item>
            <Descriptions.Item label={t("collisions.col.reps")}>
              <span data-testid="case-detail-reps">{joinNames(locale, d.case.reps.map(name))}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t("collisions.col.sla")}>
              <SlaTimer dueAt={r.due_at} overdue={r.overdue} settled={r.state === "decided" && !r.appeals.some((a) => !a.answered)} />
            </Descriptions.Item>
            <Descriptions.Item label={t("case.surfaced")} span={2}>
              {d.case.surfaced_at ? dateTime(d.case.surfaced_at) : t("collisions.notSurfaced")}
            </Descriptions.Item>
          </Descriptions>

          {r.state === "conflict" && (
            <Alert
              type="error"
              showIcon
              icon={<WarningOutlined />}
              data-testid="case-conflict"
              style={{ marginBottom: 16 }}
              message={t("case.conflict.title")}
              description={
                <>
                  <div>{t("case.conflict.body")}</div>
                  <ul style={{ margin: "8px 0 0", paddingLeft: 20 }}>
                    {standing.map((x) => (
                      <li key={x.decision}>
                        <Typography.Text strong>{name(x.by)}</Typography.Text>：{outcomeText(t, x.outcome, name, company)} — {x.reason}
                      </li>
                    ))}
                  </ul>
                </>
              }
            />
          )}
          {r.state === "reopened" && <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t("case.reopened.body")} />}

          <Typography.Title level={5}>{t("case.evidence")}</Typography.Title>
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
            {d.case.reps.map((rep) => (
              <Col key={rep} xs={24} md={24 / Math.min(d.case.reps.length, 3)}>
                <Side rep={rep} detail={d} leads={c.leads ?? {}} name={name} company={company} />
              </Col>
            ))}
          </Row>

          {d.case.duplicates.length > 0 && (
            <Card size="small" title={t("case.duplicates")} style={{ marginBottom: 16 }} data-testid="case-duplicates">
              {d.case.duplicates.map((m) => (
                <DuplicateRow key={`${m.a}-${m.b}`} m={m} company={company} />
              ))}
            </Card>
          )}

          <Proposal detail={d} name={name} />
          <Decisions detail={d} name={name} company={company} />

          {named && r.appealable && (
            <div style={{ marginBottom: 16 }}>
              <AppealButton detail={d} onDone={changed} />
            </div>
          )}
          {manager && (
            <Card size="small" title={t("decide.title")} data-testid="case-decide">
              <DecisionForm key={`${d.case.id}-${r.decisions.length}`} detail={d} name={name} company={company} onDecided={changed} />
            </Card>
          )}
        </div>
      )}
    </Drawer>
  );
}

function DuplicateRow({ m, company }: { m: CollisionDetail["case"]["duplicates"][number]; company: (id: string) => string }) {
  const { t, locale, percent } = useI18n();
  return (
    <div data-testid="case-duplicate" style={{ marginBottom: 6 }}>
      <Space wrap size={6}>
        <Typography.Text>
          {company(m.a)} ↔ {company(m.b)}
        </Typography.Text>
        <Tag color="purple">{t("case.score", { score: percent(m.score, 0) })}</Tag>
        {(locale === "zh-CN" ? m.reasons_zh : m.reasons_en).map((x) => (
          <Tag key={x}>{x}</Tag>
        ))}
      </Space>
    </div>
  );
}

