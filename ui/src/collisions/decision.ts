/**
 * The manager's decision form as data: the draft and the `Outcome` it turns into. The
 * rules (a reason, shares totalling 100, ...) are the core's alone: the form sends the
 * draft and shows the core's typed refusal beside the field it concerns. Pure:
 * unit-tested without React.
 */
import type { CaseKind } from "../api/generated/CaseKind";
import type { Outcome } from "../api/generated/Outcome";
import type { ProposedOutcome } from "../api/generated/ProposedOutcome";
import type { DecisionView } from "../api/generated/DecisionView";

export type DecisionKind = "owner" | "split" | "pool" | "merge" | "undo";

export interface DecisionDraft {
  kind: DecisionKind;
  /** owner, and the owner after a merge */
  owner?: string;
  /** split: percent per rep (reps with no entry or 0 take no share) */
  shares: Record<string, number | null | undefined>;
  /** merge: the lead document that survives */
  into?: string;
  reason: string;
  /** the decision this one replaces (required for undo and to settle a conflict) */
  supersedes?: string;
}

export interface DecisionContext {
  kind: CaseKind;
  reps: string[];
  leadIds: string[];
  /** the case is a conflict: two standing decisions differ */
  conflict: boolean;
  decisions: DecisionView[];
}

/** The form's fields a refusal can be shown beside. */
export const DECISION_FIELDS = ["owner", "shares", "into", "supersedes", "reason"] as const;
export type DecisionField = (typeof DECISION_FIELDS)[number];

/** The sum of the shares typed so far (shown beside them as they are typed). */
export function splitTotal(shares: DecisionDraft["shares"]): number {
  return Object.values(shares).reduce<number>((sum, v) => sum + (typeof v === "number" && v > 0 ? v : 0), 0);
}

/** The outcome the core receives; the core checks it and says what is wrong, if anything. */
export function toOutcome(d: DecisionDraft): Outcome {
  switch (d.kind) {
    case "owner":
      return { kind: "owner", rep: d.owner ?? "" };
    case "split":
      return {
        kind: "split",
        shares: Object.entries(d.shares)
          .filter(([, v]) => typeof v === "number" && v > 0)
          .map(([rep, pct]) => ({ rep, pct: pct as number })),
      };
    case "pool":
      return { kind: "pool" };
    case "merge":
      return { kind: "merge", into: d.into ?? "", owner: d.owner ?? "" };
    case "undo":
      return { kind: "undo" };
  }
}

/** A new draft, starting from the system's proposal when it has one. */
export function draftFrom(proposal: ProposedOutcome | undefined, ctx: DecisionContext): DecisionDraft {
  const standing = ctx.decisions.filter((x) => !x.superseded && x.outcome.kind !== "undo");
  const base: DecisionDraft = {
    kind: "owner",
    shares: Object.fromEntries(ctx.reps.map((r) => [r, null])),
    reason: "",
    // Settling a conflict or answering an appeal replaces the latest standing decision.
    supersedes: ctx.conflict ? standing[standing.length - 1]?.decision : undefined,
  };
  if (proposal?.kind === "owner") return { ...base, owner: proposal.rep };
  if (proposal?.kind === "split")
    return { ...base, kind: "split", shares: { ...base.shares, ...Object.fromEntries(proposal.shares.map((s) => [s.rep, s.pct])) } };
  return base;
}

/** A draft that changes a standing decision: it starts from that decision and replaces it. */
export function draftFromDecision(d: DecisionView, ctx: DecisionContext): DecisionDraft {
  const base: DecisionDraft = { kind: "owner", shares: Object.fromEntries(ctx.reps.map((r) => [r, null])), reason: "", supersedes: d.decision };
  const o = d.outcome;
  switch (o.kind) {
    case "owner":
      return { ...base, owner: o.rep };
    case "split":
      return { ...base, kind: "split", shares: { ...base.shares, ...Object.fromEntries(o.shares.map((s) => [s.rep, s.pct])) } };
    case "pool":
      return { ...base, kind: "pool" };
    case "merge":
      return { ...base, kind: "merge", into: o.into, owner: o.owner };
    case "undo":
      return base;
  }
}
