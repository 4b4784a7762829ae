/**
 * The live duplicate check behind the new-lead form: re-runs, debounced, as the rep
 * types, and drops answers to superseded input.
 *
 * It asks the registry's search (`lead_list` with search text) for the typed company
 * name, phone and e-mail, the fields a rep types first. This finds exact and
 * substring matches only; fuzzy matching (suffixes, pinyin, masked phones) belongs to
 * the core's dedup engine and replaces this query once the core exposes it as a command.
 */
import { useEffect, useRef, useState } from "react";
import { call } from "../api/transport";
import type { LeadFields } from "../api/generated/LeadFields";
import type { LeadView } from "../api/generated/LeadView";
import { useDebounced } from "../app/useDebounced";
import type { DuplicateMatch } from "./DuplicateWarning";

export interface DuplicateCheck {
  matches: DuplicateMatch[];
  checking: boolean;
  error: unknown;
}

/** The probes worth sending for what has been typed so far. */
export function probes(fields: LeadFields): { search: string; reason: string }[] {
  const out: { search: string; reason: string }[] = [];
  const company = fields.company?.trim() ?? "";
  // 1–2 characters match far too much to be a warning.
  if ([...company].length >= 3) out.push({ search: company, reason: "same_company_name" });
  const phone = fields.phone?.trim() ?? "";
  const digits = phone.replace(/\D/g, "").replace(/^86(?=1\d{10}$)/, "");
  if (digits.length >= 7) {
    out.push({ search: digits, reason: "same_phone" });
    // The registry stores phones as typed ("139-1234-3333"): ask for that form too.
    if (phone !== digits) out.push({ search: phone, reason: "same_phone" });
  }
  const email = fields.email?.trim().toLowerCase() ?? "";
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) out.push({ search: email, reason: "same_email" });
  return out;
}

/** Merges the probes' hits: one match per lead, with every reason that found it. */
export function mergeHits(hits: { reason: string; items: LeadView[] }[]): DuplicateMatch[] {
  const byId = new Map<string, DuplicateMatch>();
  for (const { reason, items } of hits) {
    for (const lead of items) {
      const m = byId.get(lead.id) ?? { lead, reasons: [] };
      if (!m.reasons.some((r) => r.kind === reason)) m.reasons.push({ kind: reason });
      byId.set(lead.id, m);
    }
  }
  // Protected customers first (they are the collisions to avoid), then more reasons.
  const rank = (m: DuplicateMatch) => (m.lead.state === "protected" || m.lead.state === "deal" ? 0 : 1);
  return [...byId.values()].sort((a, b) => rank(a) - rank(b) || b.reasons.length - a.reasons.length);
}

export function useDuplicateCheck(fields: LeadFields, delayMs = 250): DuplicateCheck {
  const key = JSON.stringify(probes(fields));
  const debounced = useDebounced(key, delayMs);
  const [state, setState] = useState<DuplicateCheck>({ matches: [], checking: false, error: undefined });
  const seq = useRef(0);
  useEffect(() => {
    const list = JSON.parse(debounced) as { search: string; reason: string }[];
    const mine = ++seq.current;
    if (list.length === 0) {
      setState({ matches: [], checking: false, error: undefined });
      return;
    }
    setState((s) => ({ ...s, checking: true }));
    Promise.all(
      list.map(async (p) => ({ reason: p.reason, items: (await call("lead_list", { filter: "all", search: p.search, limit: 5 })).items })),
    ).then(
      (hits) => mine === seq.current && setState({ matches: mergeHits(hits), checking: false, error: undefined }),
      (error: unknown) => mine === seq.current && setState({ matches: [], checking: false, error }),
    );
  }, [debounced]);
  return { ...state, checking: state.checking || key !== debounced };
}
