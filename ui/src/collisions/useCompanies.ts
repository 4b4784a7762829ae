/**
 * The customer (company) behind each case, for the queue: the case summary carries lead
 * ids only, so the first lead of each case is read with `lead_get` (a masked view still
 * names the company). A few calls at a time; answers are kept for the screen's life.
 */
import { useEffect, useState } from "react";
import { call } from "../api/transport";

const PARALLEL = 4;

export function useCompanies(leadIds: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(leadIds)].sort().join(",");
  useEffect(() => {
    let live = true;
    const todo = key === "" ? [] : key.split(",").filter((id) => !(id in names));
    let next = 0;
    const worker = async () => {
      while (live && next < todo.length) {
        const id = todo[next++];
        try {
          const d = await call("lead_get", { id });
          const company = d.lead.fields.company;
          if (live && company) setNames((n) => ({ ...n, [id]: company }));
        } catch {
          // A lead this device cannot read: the queue shows its id instead.
        }
      }
    };
    void Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
    return () => {
      live = false;
    };
    // `names` is read only to skip known ids; re-running on every answer would loop.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return names;
}
