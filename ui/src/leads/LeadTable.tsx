/**
 * The one table of leads used by search, my customers and the pool: company, contact
 * (masked for others' customers, DESIGN.md rule 12), region, owner and protection.
 */
import { Table, Tooltip, Typography } from "antd";
import { LockOutlined } from "@ant-design/icons";
import type { ColumnsType } from "antd/es/table";
import { memo, type ReactNode } from "react";
import { useI18n } from "../i18n";
import { Protection } from "./Protection";
import { StateTag } from "./StateTag";
import type { LeadLike } from "./types";

export interface LeadTableProps<L extends LeadLike> {
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

function LeadTableInner<L extends LeadLike>({ leads, loading, empty, actions, total, totalCapped, onOpen }: LeadTableProps<L>) {
  const { t, number } = useI18n();
  const masked = (lead: L, value: string | undefined) =>
    lead.masked ? (
      <Tooltip title={t("search.masked")}>
        <span className="lg-masked">
          <LockOutlined /> {value || t("common.none")}
        </span>
      </Tooltip>
    ) : (
      value || <Typography.Text type="secondary">{t("common.none")}</Typography.Text>
    );
  const columns: ColumnsType<L> = [
    {
      title: t("search.col.company"),
      key: "company",
      render: (_, l) => <Typography.Text strong>{l.fields.company || t("common.none")}</Typography.Text>,
    },
    { title: t("search.col.contact"), key: "contact", render: (_, l) => masked(l, l.fields.contact) },
    { title: t("search.col.phone"), key: "phone", render: (_, l) => masked(l, l.fields.phone) },
    { title: t("search.col.region"), key: "region", render: (_, l) => l.fields.region || t("common.none") },
    { title: t("search.col.owner"), key: "owner", render: (_, l) => l.owner_name || t("common.none") },
    {
      title: t("search.col.status"),
      key: "status",
      render: (_, l) => (
        <>
          <StateTag state={l.state} />
          {l.state === "protected" && <Protection until={l.protected_until} />}
        </>
      ),
    },
  ];
  if (actions) columns.push({ key: "actions", align: "right", render: (_, l) => actions(l) });
  return (
    <Table<L>
      rowKey="id"
      size="middle"
      loading={loading}
      columns={columns}
      dataSource={leads}
      locale={{ emptyText: empty }}
      pagination={false}
      footer={
        total !== undefined && total > leads.length
          ? () => `${number(leads.length)} / ${number(total)}${totalCapped ? "+" : ""}`
          : undefined
      }
      rowClassName={onOpen ? "lg-clickable" : undefined}
      onRow={(l) =>
        ({
          "data-testid": "lead-row",
          "data-lead-id": l.id,
          onClick: (e: React.MouseEvent) => {
            // Buttons in the actions column act on their own.
            if (onOpen && !(e.target as HTMLElement).closest("button, .ant-popover")) onOpen(l);
          },
        }) as React.HTMLAttributes<HTMLElement>
      }
    />
  );
}

/**
 * Memoised: a keystroke in the search box re-renders the screen, but the table only
 * when its rows change (with 20 rows of tooltips and timers, a render is most of the
 * keystroke's cost). Callers pass stable `onOpen`/`actions` (useCallback).
 */
export const LeadTable = memo(LeadTableInner) as typeof LeadTableInner;
