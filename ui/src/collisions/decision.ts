import type { CaseKind } from "../api/generated/CaseKind";
/**
 * The manager's decision form as data: the draft, its validation (the same rules the
 * core enforces, so the form says what is wrong before anything is written) and the
 * `Outcome` it turns into. Pure: unit-tested without React.
 */
import type { Outcome } from "../api/generated/Outcome";
import type { ProposedOutcome } from "../api/generated/ProposedOutcome";
import type { DecisionView } from "../api/generated/DecisionView";
import type { MessageKey } from "../i18n";

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

export type DecisionErrors = Partial<Record<"kind" | "owner" | "shares" | "into" | "reason" | "supersedes", MessageKey>>;

export function splitTotal(shares: DecisionDraft["shares"]): number {
  return Object.values(shares).reduce<number>((sum, v) => sum + (typeof v === "number" && v > 0 ? v : 0), 0);
}

/** What is wrong with a draft; empty when it can be sent. */
export function validateDecision(d: DecisionDraft, ctx: DecisionContext): DecisionErrors {
  const e: DecisionErrors = {};
  if (d.reason.trim() === "") e.reason = "decide.err.reason";
  switch (d.kind) {
    case "owner":
      if (!d.owner) e.owner = "decide.err.owner";
      break;
    case "split": {
      const taken = Object.entries(d.shares).filter(([, v]) => typeof v === "number" && v > 0);
      if (taken.length < 2) e.shares = "decide.err.splitTwo";
      else if (taken.some(([, v]) => !Number.isInteger(v) || (v as number) > 99)) e.shares = "decide.err.splitRange";
      else if (splitTotal(d.shares) !== 100) e.shares = "decide.err.splitTotal";
      break;
    }
    case "merge":
      if (ctx.kind !== "duplicate_leads") e.kind = "decide.err.mergeKind";
      if (!d.into || !ctx.leadIds.includes(d.into)) e.into = "decide.err.into";
      if (!d.owner) e.owner = "decide.err.owner";
      break;
    case "undo":
      if (!d.supersedes) e.supersedes = "decide.err.undo";
      break;
    case "pool":
      break;
  }
  if (ctx.conflict && !d.supersedes) e.supersedes = "decide.err.conflict";
  if (d.supersedes && !ctx.decisions.some((x) => x.decision === d.supersedes)) e.supersedes = "decide.err.supersedes";
  return e;
}

/** The outcome the core receives. Call only on a draft without errors. */
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
