/**
 * A `lead_list` answer as the screens show it: the error with a retry, or the lead table
 * with the total and, when it has more than one page, a pager (the core counts and pages).
 * Search, my customers, the pool and the team list differ only in filter, empty text,
 * columns and actions.
 */
import { Pagination } from "antd";
import type { ReactNode } from "react";
import type { CommandState } from "../api/useCommand";
import type { LeadPage } from "../api/generated/LeadPage";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n } from "../i18n";
import { LeadTable, type LeadColumns } from "./LeadTable";
import type { Paging } from "./usePagedList";

type Lead = LeadPage["items"][number];

export function LeadListView({
  page,
  empty,
  onOpen,
  actions,
  paging,
  columns,
}: {
  page: CommandState<LeadPage>;
  empty: ReactNode;
  onOpen: (lead: Lead) => void;
  actions?: (lead: Lead) => ReactNode;
  paging?: Paging;
  columns?: LeadColumns;
}) {
  const { t, number } = useI18n();
  if (page.error) return <ErrorAlert error={page.error} onRetry={page.reload} />;
  const total = page.data ? Number(page.data.total) : undefined;
  return (
    <>
      <LeadTable
        leads={page.data?.items ?? []}
        total={paging ? undefined : total}
        totalCapped={page.data?.total_capped}
        loading={page.loading && !page.data}
        onOpen={onOpen}
        empty={empty}
        actions={actions}
        columns={columns}
      />
      {paging && total !== undefined && total > 0 && (
        <div className="lg-pager" data-testid="list-pager">
          <span className="lg-muted" data-testid="list-total">
            {t(page.data?.total_capped ? "list.totalCapped" : "list.total", { n: number(total) })}
          </span>
          {total > paging.pageSize && (
            <Pagination
              size="small"
              current={paging.page}
              pageSize={paging.pageSize}
              total={total}
              showSizeChanger={false}
              onChange={paging.onChange}
            />
          )}
        </div>
      )}
    </>
  );
}
