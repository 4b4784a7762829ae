/**
 * One collision case (撞单详情): the evidence of each side — every claim with its
 * evidence window [from, to] in hub time (the device clock shown for reference only)
 * and whether it took effect, the follow-ups and deals the viewer may see —, the
 * duplicate match with its score and reasons, the system's proposal explained in the
 * current language, the decisions and appeals, a conflict spelled out, the decision
 * form for managers and the appeal for the reps named. The parts live in `case/`.
 */
import { Alert, Button, Card, Col, Drawer, Row, Skeleton, Space, Tag, Typography } from "antd";
import { useState } from "react";
import type { CollisionDetail } from "../api/generated/CollisionDetail";
import { useSession } from "../app/session";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n } from "../i18n";
import { DecisionForm } from "./DecisionForm";
import { AppealButton } from "./case/AppealButton";
import { CaseSummary } from "./case/CaseSummary";
import { ConflictAlert } from "./case/ConflictAlert";
import { Decisions } from "./case/Decisions";
import { DuplicateRow } from "./case/DuplicateRow";
import { Proposal } from "./case/Proposal";
import { Side } from "./case/Side";
import { useCase } from "./case/useCase";
import { outcomeText } from "./parts";
import { useRepNames } from "./useReps";

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
  const { t } = useI18n();
  const { session } = useSession();
  const name = useRepNames();
  const c = useCase(id);
  const d = c.detail;
  const company = (leadId: string) =>
    d?.leads.find((l) => l.id === leadId)?.fields.company ?? c.leads[leadId]?.lead.fields.company ?? companyFromQueue(leadId) ?? leadId;
  const [amending, setAmending] = useState(false);
  const changed = (next: CollisionDetail) => {
    setAmending(false);
    c.replace(next);
    onChanged();
  };
  const me = session?.rep;
  // Who decides (rule 17): a case across branches is the director's unless every
  // branch's policy gives it to its managers; a manager then sees 待总监裁决.
  const awaitingDirector = d?.decider === "director" && me?.role === "manager";
  const manager = me?.role === "director" || (me?.role === "manager" && !awaitingDirector);
  const named = !!me && !!d && d.case.reps.includes(me.id);
  const r = d?.resolution;
  // The one standing decision of a decided case (the latest that is not superseded).
  const standing =
    r?.state === "decided" ? [...r.decisions].reverse().find((x) => !x.superseded && x.outcome.kind !== "undo") : undefined;
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
          <CaseSummary detail={d} name={name} />
          {r.state === "conflict" && <ConflictAlert detail={d} name={name} company={company} />}
          {r.state === "reopened" && <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t("case.reopened.body")} />}

          <Typography.Title level={5}>{t("case.evidence")}</Typography.Title>
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
            {d.case.reps.map((rep) => (
              <Col key={rep} xs={24} md={24 / Math.min(d.case.reps.length, 3)}>
                <Side rep={rep} detail={d} leads={c.leads} name={name} company={company} />
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

          {(d.case.relations ?? []).length > 0 && (
            <Card size="small" title={t("case.relations")} style={{ marginBottom: 16 }} data-testid="case-relations">
              {(d.case.relations ?? []).map((r) => (
                <div key={`${r.holder}-${r.other}-${r.kind}-${r.rep ?? ""}`} data-testid="case-relation" style={{ marginBottom: 6 }}>
                  <Tag color={r.kind === "referral" ? "blue" : "purple"}>{t(`relation.kind.${r.kind}`)}</Tag>
                  {company(r.holder)}
                  {r.other && ` ↔ ${company(r.other)}`}
                  {r.kind === "referral" && r.rep && ` · ${t("relation.referrer", { name: name(r.rep) })}`}
                  {r.note && <Typography.Text type="secondary">{` · ${r.note}`}</Typography.Text>}
                </div>
              ))}
            </Card>
          )}

          {awaitingDirector && (
            <Alert type="info" showIcon style={{ marginBottom: 16 }} data-testid="case-awaiting-director" message={t("case.awaitingDirector", { branches: d.branches.join(" · ") })} />
          )}
          <Proposal detail={d} name={name} />
          <Decisions detail={d} name={name} company={company} />

          {named && r.appealable && (
            <div style={{ marginBottom: 16 }}>
              <AppealButton detail={d} onDone={changed} />
            </div>
          )}
          {manager && standing && !amending ? (
            // Decided: the form folds away (no pre-filled opposite proposal left open).
            <Card size="small" data-testid="case-decided">
              <Space wrap>
                <Tag color="success">{t("decide.decided")}</Tag>
                <Typography.Text>{t("decide.current", { outcome: outcomeText(t, standing.outcome, name) })}</Typography.Text>
                <Button size="small" onClick={() => setAmending(true)} data-testid="decide-change">
                  {t("decide.change")}
                </Button>
              </Space>
            </Card>
          ) : (
            manager && (
              <Card size="small" title={t("decide.title")} data-testid="case-decide">
                <DecisionForm
                  key={`${d.case.id}-${r.decisions.length}`}
                  detail={d}
                  name={name}
                  company={company}
                  amend={amending ? standing : undefined}
                  onDecided={changed}
                />
              </Card>
            )
          )}
        </div>
      )}
    </Drawer>
  );
}
