/**
 * A `lead_list` answer as the screens show it: the error with a retry, or the lead table.
 * Search, my customers and the pool differ only in their filter, empty text and actions.
 */
import type { ReactNode } from "react";
import type { CommandState } from "../api/useCommand";
import type { LeadPage } from "../api/generated/LeadPage";
import { ErrorAlert } from "../components/ErrorAlert";
import { LeadTable } from "./LeadTable";

type Lead = LeadPage["items"][number];

export function LeadListView({
  page,
  empty,
  onOpen,
  actions,
}: {
  page: CommandState<LeadPage>;
  empty: ReactNode;
  onOpen: (lead: Lead) => void;
  actions?: (lead: Lead) => ReactNode;
}) {
  if (page.error) return <ErrorAlert error={page.error} onRetry={page.reload} />;
  return (
    <LeadTable
      leads={page.data?.items ?? []}
      total={page.data ? Number(page.data.total) : undefined}
      totalCapped={page.data?.total_capped}
      loading={page.loading && !page.data}
      onOpen={onOpen}
      empty={empty}
      actions={actions}
    />
  );
}
