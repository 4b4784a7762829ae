/**
 * One case and, for each of its leads, what `lead_get` shows this viewer (history only
 * where visible): one query for the case and one set of lead queries, fetched side by
 * side and shared with the rest of the app's cache (a lead open elsewhere is not fetched
 * again). A lead this device cannot read is left out: its claims still show.
 */
import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CollisionDetail } from "../../api/generated/CollisionDetail";
import type { LeadDetail } from "../../api/generated/LeadDetail";
import { call } from "../../api/transport";
import { commandKey, invalidateAll } from "../../api/useCommand";

export function useCase(id: string | null) {
  const client = useQueryClient();
  const key = commandKey("collision_get", { id: id ?? "" });
  const detail = useQuery({ queryKey: key, queryFn: () => call("collision_get", { id: id ?? "" }), enabled: id !== null });
  const leadIds = detail.data?.case.lead_ids ?? [];
  const leads = useQueries({
    queries: leadIds.map((lead) => ({
      queryKey: commandKey("lead_get", { id: lead }),
      queryFn: () => call("lead_get", { id: lead }),
    })),
    combine: (results) => ({
      byId: Object.fromEntries(results.flatMap((r, i) => (r.data ? [[leadIds[i], r.data]] : []))) as Record<string, LeadDetail>,
      pending: results.some((r) => r.isPending),
    }),
  });
  return {
    /** The case, once it and its leads have answered. */
    detail: leads.pending ? undefined : detail.data,
    leads: leads.byId,
    error: detail.error ?? undefined,
    reload: () => void invalidateAll(client),
    /** A write answered with the case as it is now: show it, then refetch what it touched. */
    replace: (next: CollisionDetail) => {
      client.setQueryData(key, next);
      void invalidateAll(client);
    },
  };
}
