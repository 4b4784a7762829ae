/**
 * The one table of leads used by search, my customers and the pool: company, contact
 * (masked for others' customers, docs/RULES.md rule 12), region, owner and protection.
 *
 * A plain HTML table styled like Ant Design's (app.css), not antd's `Table`: search
 * re-renders it on every keystroke, and antd's table with its per-cell components cost
 * most of the 100 ms a keystroke may take at 100k leads (`make bench-ui`). It has no
 * sorting or paging to lose: the core orders and pages.
 */
import { GradeTag } from "./Grade";
import { Spin } from "antd";
import { LockOutlined } from "@ant-design/icons";
import { memo, type ReactNode } from "react";
import { useI18n } from "../i18n";
import { Protection } from "./Protection";
import { StateTag } from "./StateTag";
import type { LeadLike } from "./types";

/** Which owner/state columns a table shows: the current owner and protection, or (the
 * pool) who followed the customer before and since when it is in the pool. */
export type LeadColumns = "owner" | "pool";

export interface LeadTableProps<L extends LeadLike> {
  columns?: LeadColumns;
  leads: L[];
  loading?: boolean;
  empty: ReactNode;
  actions?: (lead: L) => ReactNode;
  total?: number;
  /** More than `total` leads match (the core stops counting at 10,000). */
  totalCapped?: boolean;
  /** Called when a row (not an action button) is clicked: opens the customer. */
  onOpen?: (lead: L) => void;
}

function LeadTableInner<L extends LeadLike>({ leads, loading, empty, actions, total, totalCapped, onOpen, columns: variant = "owner" }: LeadTableProps<L>) {
  const { t, number, dateTime } = useI18n();
  // Cells are plain elements with the theme's colours (app.css), not Typography or
  // Tooltip components: 20 rows × 6 cells of those cost most of a keystroke's render.
  const none = <span className="lg-muted">{t("common.none")}</span>;
  const masked = (lead: L, value: string | undefined) =>
    lead.masked ? (
      <span className="lg-masked" title={t("search.masked")}>
        <LockOutlined /> {value || t("common.none")}
      </span>
    ) : (
      value || none
    );
  const columns: { key: string; title?: string; align?: "right"; render: (l: L) => ReactNode }[] = [
    {
      title: t("search.col.company"),
      key: "company",
      render: (l) => <strong className="lg-strong">{l.fields.company || t("common.none")}</strong>,
    },
    { title: t("grade.label"), key: "grade", render: (l) => (l.fields.grade ? <GradeTag grade={l.fields.grade} /> : none) },
    { title: t("search.col.contact"), key: "contact", render: (l) => masked(l, l.fields.contact) },
    { title: t("search.col.phone"), key: "phone", render: (l) => masked(l, l.fields.phone) },
    { title: t("search.col.region"), key: "region", render: (l) => l.fields.region || none },
    ...(variant === "pool"
      ? [
          { title: t("pool.col.previousOwner"), key: "previous", render: (l: L) => l.previous_owner_name || none },
          { title: t("pool.col.since"), key: "since", render: (l: L) => (l.pool_since ? dateTime(l.pool_since) : none) },
          { title: t("search.col.status"), key: "status", render: (l: L) => <StateTag state={l.state} /> },
        ]
      : [
          { title: t("search.col.owner"), key: "owner", render: (l: L) => l.owner_name || none },
          {
            title: t("search.col.status"),
            key: "status",
            render: (l: L) => (
              <>
                <StateTag state={l.state} />
                {l.state === "protected" && <Protection until={l.protected_until} />}
              </>
            ),
          },
        ]),
  ];
  if (actions) columns.push({ key: "actions", align: "right", render: (l) => actions(l) });
  const open = (l: L) => (e: React.MouseEvent) => {
    // Buttons in the actions column act on their own.
    if (onOpen && !(e.target as HTMLElement).closest("button, .ant-popover")) onOpen(l);
  };
  return (
    <Spin spinning={!!loading}>
      <div className="lg-table-wrap">
        <table className="lg-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} style={c.align ? { textAlign: c.align } : undefined}>
                  {c.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {leads.map((l) => (
              <tr
                key={l.id}
                data-testid="lead-row"
                data-lead-id={l.id}
                className={onOpen ? "lg-clickable" : undefined}
                onClick={open(l)}
              >
                {columns.map((c) => (
                  <td key={c.key} style={c.align ? { textAlign: c.align } : undefined}>
                    {c.render(l)}
                  </td>
                ))}
              </tr>
            ))}
            {leads.length === 0 && (
              <tr>
                <td className="lg-table-empty" colSpan={columns.length}>
                  {empty}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {total !== undefined && total > leads.length && (
          <div className="lg-table-footer">{`${number(leads.length)} / ${number(total)}${totalCapped ? "+" : ""}`}</div>
        )}
      </div>
    </Spin>
  );
}

/**
 * Memoised: a keystroke in the search box re-renders the screen, but the table only
 * when its rows change (with 20 rows of tooltips and timers, a render is most of the
 * keystroke's cost). Callers pass stable `onOpen`/`actions` (useCallback).
 */
export const LeadTable = memo(LeadTableInner) as typeof LeadTableInner;
