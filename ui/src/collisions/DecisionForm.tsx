/**
 * The manager's decision on a case: one owner, a commission split (percent per rep,
 * totalling 100), to the pool (归公), merging duplicate lead documents, or undoing a
 * decision; a reason is always required. Pre-filled from the system's proposal. The
 * core checks the decision; its refusal is shown beside the field it concerns.
 */
import { Alert, App as AntApp, Button, Form, Input, InputNumber, Radio, Select, Space, Typography } from "antd";
import { useState } from "react";
import type { CollisionDetail } from "../api/generated/CollisionDetail";
import type { DecisionView } from "../api/generated/DecisionView";
import { call } from "../api/transport";
import { formError } from "../components/errors";
import { useI18n } from "../i18n";
import {
  DECISION_FIELDS,
  draftFrom,
  draftFromDecision,
  splitTotal,
  toOutcome,
  type DecisionContext,
  type DecisionDraft,
  type DecisionField,
  type DecisionKind,
} from "./decision";
import { outcomeText } from "./parts";
import type { RepName } from "./useReps";
import type { FaultKind } from "../api/generated/FaultKind";

export const FAULT_KINDS: FaultKind[] = ["grab", "unreported", "flying"];

export function decisionContext(d: CollisionDetail): DecisionContext {
  return {
    kind: d.case.kind,
    // A referral's referrer keeps credit (rule 10): offered in a split beside the case's reps.
    reps: [
      ...d.case.reps,
      ...(d.case.relations ?? []).flatMap((r) => (r.kind === "referral" && r.rep && !d.case.reps.includes(r.rep) ? [r.rep] : [])),
    ].filter((r, i, all) => all.indexOf(r) === i),
    leadIds: d.case.lead_ids,
    conflict: d.resolution.state === "conflict",
    decisions: d.resolution.decisions,
  };
}

export function DecisionForm({
  detail,
  name,
  company,
  amend,
  onDecided,
}: {
  detail: CollisionDetail;
  name: RepName;
  company: (leadId: string) => string;
  /** Changing this standing decision: the form starts from it and replaces it. */
  amend?: DecisionView;
  onDecided: (d: CollisionDetail) => void;
}) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const ctx = decisionContext(detail);
  const proposed = detail.proposal.outcome;
  const [draft, setDraft] = useState<DecisionDraft>(() => (amend ? draftFromDecision(amend, ctx) : draftFrom(proposed, ctx)));
  const [busy, setBusy] = useState(false);
  // Reps found at fault (抢单, 未报备, 飞单): counted in the metrics while the decision stands.
  const [faults, setFaults] = useState<Record<string, FaultKind[]>>({});
  const faultList = Object.entries(faults).flatMap(([rep, kinds]) => kinds.map((kind) => ({ rep, kind })));
  // The core's refusal: beside its field when it names one, else above the button.
  const [failure, setFailure] = useState<{ field?: DecisionField; text: string } | null>(null);
  const shown: Partial<Record<DecisionField, string>> = failure?.field ? { [failure.field]: failure.text } : {};
  const set = (p: Partial<DecisionDraft>) => {
    setFailure(null);
    setDraft((d) => ({ ...d, ...p }));
  };
  const standing = detail.resolution.decisions.filter((d) => !d.superseded);
  const kinds: DecisionKind[] = ["owner", "split", "pool"];
  if (ctx.kind === "duplicate_leads") kinds.push("merge");
  if (standing.length > 0) kinds.push("undo");
  const repOptions = ctx.reps.map((r) => ({ value: r, label: name(r) }));

  const submit = async () => {
    setFailure(null);
    setBusy(true);
    try {
      const res = await call("collision_resolve", {
        id: detail.case.id,
        outcome: toOutcome(draft),
        reason: draft.reason.trim(),
        ...(draft.supersedes ? { supersedes: draft.supersedes } : {}),
        ...(draft.kind !== "undo" && faultList.length > 0 ? { faults: faultList } : {}),
      });
      setFaults({});
      void message.success(t("decide.saved"));
      setDraft({ ...draftFrom(res.proposal.outcome, decisionContext(res)), reason: "" });
      onDecided(res);
    } catch (e) {
      setFailure(formError(t, e, DECISION_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form layout="vertical" data-testid="decision-form" component="div">
      {!amend && proposed.kind !== "undecided" && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {t("decide.fromProposal")}
        </Typography.Paragraph>
      )}
      <Form.Item>
        <Radio.Group
          value={draft.kind}
          onChange={(e) => set({ kind: e.target.value as DecisionKind })}
          optionType="button"
          buttonStyle="solid"
          options={kinds.map((k) => ({ value: k, label: t(`decide.kind.${k}`), "data-testid": `decide-kind-${k}` }) as never)}
        />
      </Form.Item>
      {(draft.kind === "owner" || draft.kind === "merge") && (
        <Form.Item label={t("decide.owner")} validateStatus={shown.owner ? "error" : undefined} help={shown.owner}>
          <Select
            data-testid="decide-owner"
            value={draft.owner}
            onChange={(v) => set({ owner: v })}
            options={repOptions}
            style={{ maxWidth: 280 }}
          />
        </Form.Item>
      )}
      {draft.kind === "merge" && (
        <Form.Item label={t("decide.into")} validateStatus={shown.into ? "error" : undefined} help={shown.into}>
          <Select
            data-testid="decide-into"
            value={draft.into}
            onChange={(v) => set({ into: v })}
            options={ctx.leadIds.map((id) => ({ value: id, label: `${company(id)} · ${id}` }))}
            style={{ maxWidth: 420 }}
          />
        </Form.Item>
      )}
      {draft.kind === "split" && (
        <Form.Item label={t("decide.shares")} validateStatus={shown.shares ? "error" : undefined} help={shown.shares}>
          <Space wrap>
            {ctx.reps.map((r) => (
              <Space.Compact key={r} style={{ width: 220 }}>
                <Space.Addon>{name(r)}</Space.Addon>
                <InputNumber<number>
                  data-testid={`share-${r}`}
                  min={0}
                  max={100}
                  precision={0}
                  value={draft.shares[r] ?? null}
                  onChange={(v) => set({ shares: { ...draft.shares, [r]: v } })}
                  style={{ width: "100%" }}
                />
                <Space.Addon>%</Space.Addon>
              </Space.Compact>
            ))}
            <Typography.Text type={splitTotal(draft.shares) === 100 ? "success" : "danger"} data-testid="split-total">
              {t("decide.total", { total: splitTotal(draft.shares) })}
            </Typography.Text>
          </Space>
        </Form.Item>
      )}
      {standing.length > 0 && (
        <Form.Item
          label={t("decide.supersedes")}
          validateStatus={shown.supersedes ? "error" : undefined}
          help={shown.supersedes}
        >
          <Select
            data-testid="decide-supersedes"
            allowClear
            value={draft.supersedes}
            onChange={(v) => set({ supersedes: v ?? undefined })}
            options={standing.map((d) => ({
              value: d.decision,
              label: `${outcomeText(t, d.outcome, name)} · ${t("case.decisionBy", { name: name(d.by) })}`,
            }))}
            style={{ maxWidth: 520 }}
          />
        </Form.Item>
      )}
      {draft.kind !== "undo" && (
        <Form.Item label={t("decide.faults")} extra={t("decide.faultsHint")}>
          <Space wrap>
            {ctx.reps.map((r) => (
              <Space.Compact key={r} style={{ minWidth: 300 }}>
                <Space.Addon>{name(r)}</Space.Addon>
                <Select<FaultKind[]>
                  mode="multiple"
                  allowClear
                  data-testid={`fault-${r}`}
                  placeholder={t("decide.noFault")}
                  value={faults[r] ?? []}
                  onChange={(v) => setFaults((f) => ({ ...f, [r]: v }))}
                  options={FAULT_KINDS.map((k) => ({ value: k, label: t(`fault.kind.${k}`) }))}
                  style={{ minWidth: 200 }}
                />
              </Space.Compact>
            ))}
          </Space>
        </Form.Item>
      )}
      <Form.Item
        label={t("decide.reason")}
        required
        validateStatus={shown.reason ? "error" : undefined}
        help={shown.reason}
      >
        <Input.TextArea
          data-testid="decide-reason"
          rows={2}
          value={draft.reason}
          placeholder={t("decide.reasonPlaceholder")}
          onChange={(e) => set({ reason: e.target.value })}
        />
      </Form.Item>
      {failure && !failure.field && <Alert type="error" showIcon message={failure.text} style={{ marginBottom: 12 }} role="alert" />}
      <Button type="primary" loading={busy} data-testid="decide-submit" onClick={submit}>
        {t("decide.submit")}
      </Button>
    </Form>
  );
}
