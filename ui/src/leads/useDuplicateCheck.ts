/**
 * The live duplicate check behind the new-lead form: the core's `dedup_check` (the
 * dedup engine: company suffixes, region prefixes, full-width characters, phone
 * formats, masked phones, pinyin) re-run as the rep types, debounced, with answers to
 * superseded input dropped so a fast typist never sees a stale warning. On a
 * distributor's laptop the core also asks the hub (`online`: its laptop holds no other
 * party's customers; the hub answers only "protected until …" or "free").
 */
import { useEffect, useRef, useState } from "react";
import { call } from "../api/transport";
import type { DuplicateMatch } from "../api/generated/DuplicateMatch";
import type { LeadFields } from "../api/generated/LeadFields";
import type { OnlineCheck } from "../api/generated/OnlineCheck";
import { useDebounced } from "../app/useDebounced";

export interface DuplicateCheck {
  /** Likely duplicates: a warning. */
  matches: DuplicateMatch[];
  /** Possible duplicates (below the threshold), shown softly. */
  possible: DuplicateMatch[];
  /** A distributor's laptop: the hub's answer (null elsewhere). */
  online: OnlineCheck | null;
  checking: boolean;
  error: unknown;
}

/** The fields worth checking: the identifying ones, trimmed; `null` when there is nothing to check. */
export function checkInput(fields: LeadFields): LeadFields | null {
  const out: LeadFields = {};
  for (const k of ["company", "contact", "phone", "email", "region"] as const) {
    const v = fields[k]?.trim();
    if (v) out[k] = v;
  }
  // A lone 1-character company or contact matches far too much to be a warning.
  const enough = [...(out.company ?? "")].length >= 2 || out.phone || out.email || [...(out.contact ?? "")].length >= 2;
  // The region alone identifies nobody; with a name it tells another city's firm apart.
  return enough ? out : null;
}

export function useDuplicateCheck(fields: LeadFields, delayMs = 200): DuplicateCheck {
  const key = JSON.stringify(checkInput(fields));
  const debounced = useDebounced(key, delayMs);
  const [state, setState] = useState<DuplicateCheck>({ matches: [], possible: [], online: null, checking: false, error: undefined });
  const seq = useRef(0);
  useEffect(() => {
    const input = JSON.parse(debounced) as LeadFields | null;
    const mine = ++seq.current;
    if (!input) {
      setState({ matches: [], possible: [], online: null, checking: false, error: undefined });
      return;
    }
    setState((s) => ({ ...s, checking: true }));
    call("dedup_check", { fields: input, limit: 5 }).then(
      (r) => mine === seq.current && setState({ matches: r.matches, possible: r.possible ?? [], online: r.online ?? null, checking: false, error: undefined }),
      (error: unknown) => mine === seq.current && setState({ matches: [], possible: [], online: null, checking: false, error }),
    );
  }, [debounced]);
  return { ...state, checking: state.checking || key !== debounced };
}
