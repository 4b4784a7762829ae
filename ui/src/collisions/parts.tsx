/** Small pieces shared by the collision queue and the case page. */
import { Tag, Typography } from "antd";
import type { CaseState } from "../api/generated/CaseState";
import type { CaseKind } from "../api/generated/CaseKind";
import type { Outcome } from "../api/generated/Outcome";
import type { ProposedOutcome } from "../api/generated/ProposedOutcome";
import { useI18n, type MessageKey } from "../i18n";
import { msUntil } from "../format";
import { useNow } from "../leads/useNow";
import type { RepName } from "./useReps";

const STATE_COLOR: Record<CaseState, string> = { open: "orange", decided: "green", conflict: "red", reopened: "volcano" };

export function CaseStateTag({ state }: { state: CaseState }) {
  const { t } = useI18n();
  return (
    <Tag color={STATE_COLOR[state]} data-testid={`case-state-${state}`}>
      {t(`collisions.state.${state}` as MessageKey)}
    </Tag>
  );
}

export function CaseKindTag({ kind }: { kind: CaseKind }) {
  const { t } = useI18n();
  const color = kind === "duplicate_leads" ? "purple" : kind === "claim_during_protection" ? "volcano" : "geekblue";
  return <Tag color={color}>{t(`collisions.kind.${kind}` as MessageKey)}</Tag>;
}

/** The turnaround timer of a case: time left, or how long it is overdue; settled cases show no timer. */
export function SlaTimer({ dueAt, overdue, settled }: { dueAt: string | null; overdue: boolean; settled: boolean }) {
  const { t, dateTime, duration } = useI18n();
  const now = useNow();
  if (settled) return <Typography.Text type="secondary">{t("collisions.settled")}</Typography.Text>;
  if (!dueAt) return <Typography.Text type="secondary">{t("common.none")}</Typography.Text>;
  const left = msUntil(dueAt, now);
  const late = overdue || left <= 0;
  return (
    <span data-testid="sla">
      <Typography.Text type={late ? "danger" : left < 6 * 3_600_000 ? "warning" : "success"} strong={late}>
        {late ? t("collisions.overdueBy", { duration: duration(-left) }) : t("collisions.dueIn", { duration: duration(left) })}
      </Typography.Text>
      <br />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t("collisions.dueAt", { date: dateTime(dueAt) })}
      </Typography.Text>
    </span>
  );
}

/** An outcome (decided or proposed) in words, reps by name. */
export function outcomeText(
  t: ReturnType<typeof useI18n>["t"],
  o: Outcome | ProposedOutcome,
  name: RepName,
  company?: (leadId: string) => string,
): string {
  switch (o.kind) {
    case "owner":
      return t("outcome.owner", { rep: name(o.rep) });
    case "split":
      return t("outcome.split", { shares: o.shares.map((s) => `${name(s.rep)} ${s.pct}%`).join(" / ") });
    case "pool":
      return t("outcome.pool");
    case "merge":
      return t("outcome.merge", { owner: name(o.owner) }) + (company ? ` (${company(o.into)})` : "");
    case "undo":
      return t("outcome.undo");
    case "undecided":
      return t("case.proposal.undecided");
  }
}

/** Names in a list: 李娜、王伟 (zh-CN) or 李娜, 王伟 (en). */
export function joinNames(locale: string, names: string[]): string {
  return names.join(locale === "zh-CN" ? "、" : ", ");
}
