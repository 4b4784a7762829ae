/**
 * Collision review (撞单处理): the queue of cases this device knows about — a manager
 * sees the branch, a rep the cases naming them — with kind, customer, reps, when the hub
 * had all the colliding claims, the turnaround timer and the state. A row opens the case
 * page. Everything is read from the local registry, so it works with no hub reachable.
 */
import { Badge, Button, Card, Empty, Segmented, Space, Switch, Table, Tag, Typography } from "antd";
import { ReloadOutlined } from "@ant-design/icons";
import type { ColumnsType } from "antd/es/table";
import { useEffect, useMemo, useRef, useState, type MutableRefObject } from "react";
import type { CaseSummary } from "../api/generated/CaseSummary";
import { useCommand } from "../api/useCommand";
import { useSession } from "../app/session";
import { ErrorAlert } from "../components/ErrorAlert";
import { ExportButtons } from "../components/ExportButtons";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";
import { CaseDrawer } from "./CaseDrawer";
import { CaseKindTag, CaseStateTag, joinNames, SlaTimer } from "./parts";
import { useCompanies } from "./useCompanies";
import { useRepNames } from "./useReps";

const NEEDS_ACTION = new Set(["open", "conflict", "reopened"]);

/** Cases needing action first (overdue, then soonest due), settled ones after, newest first. */
export function sortCases(cases: CaseSummary[]): CaseSummary[] {
  const rank = (c: CaseSummary) => (c.overdue ? 0 : NEEDS_ACTION.has(c.state) || c.open_appeals > 0 ? 1 : 2);
  return [...cases].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.due_at ?? "9999").localeCompare(b.due_at ?? "9999") ||
      (b.surfaced_at ?? "").localeCompare(a.surfaced_at ?? "") ||
      a.id.localeCompare(b.id),
  );
}

/** `sorted` in the order remembered in `order` (cases new since then after, in their
 * sorted order); remembers the result. */
export function keepOrder(sorted: CaseSummary[], order: MutableRefObject<string[] | null>): CaseSummary[] {
  const known = order.current;
  let out = sorted;
  if (known) {
    const at = new Map(known.map((id, i) => [id, i]));
    out = [...sorted].sort((a, b) => (at.get(a.id) ?? known.length) - (at.get(b.id) ?? known.length));
  }
  if (out.length > 0) order.current = out.map((c) => c.id);
  return out;
}

/** The case id in the address (`#/collisions/<id>`), so a notification or a reload opens it. */
function caseFromHash(): string | null {
  const m = window.location.hash.match(/^#\/collisions\/([0-9a-f]+)/i);
  return m ? m[1] : null;
}

export function CollisionsScreen() {
  const { t, dateTime, number, locale } = useI18n();
  const { session } = useSession();
  const director = session?.rep.role === "director";
  const manager = session?.rep.role === "manager" || director;
  const [mineOnly, setMineOnly] = useState(false);
  // 跨分公司: the cases across branches (rule 17), where the director's queue opens
  // (once the session is known) until a filter is chosen.
  const [chosen, setFilter] = useState<"all" | "open" | "cross" | null>(null);
  const filter = chosen ?? (director ? "cross" : "all");
  const [openId, setOpenId] = useState<string | null>(caseFromHash);
  // A notification opens a case by setting the address while this screen is shown.
  useEffect(() => {
    const onHash = () => {
      const id = caseFromHash();
      if (id) setOpenId(id);
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const list = useCommand("collisions_list", manager && !mineOnly ? {} : { mine: true }, { enabled: !!session });
  const name = useRepNames();
  // The queue keeps its order while the manager works through it: a case just decided
  // stays where it was instead of sinking under the cursor; 刷新 sorts again.
  const order = useRef<string[] | null>(null);
  const cases = useMemo(() => keepOrder(sortCases(list.data?.cases ?? []), order), [list.data]);
  const refresh = () => {
    order.current = null;
    list.reload();
  };
  const shown =
    filter === "open"
      ? cases.filter((c) => NEEDS_ACTION.has(c.state) || c.open_appeals > 0)
      : filter === "cross"
        ? cases.filter((c) => c.branches.length > 1)
        : cases;
  const companies = useCompanies(cases.map((c) => c.lead_ids[0]));
  const open = (id: string | null) => {
    setOpenId(id);
    window.history.replaceState(null, "", `#/collisions${id ? `/${id}` : ""}`);
  };

  const columns: ColumnsType<CaseSummary> = [
    { title: t("collisions.col.kind"), key: "kind", width: 130, render: (_, c) => <CaseKindTag kind={c.kind} /> },
    {
      title: t("collisions.col.customer"),
      key: "customer",
      render: (_, c) => (
        <Typography.Text strong data-testid="case-customer">
          {companies[c.lead_ids[0]] ?? c.lead_ids[0]}
        </Typography.Text>
      ),
    },
    {
      title: t("collisions.col.reps"),
      key: "reps",
      render: (_, c) => <span data-testid="case-reps">{joinNames(locale, c.reps.map(name))}</span>,
    },
    {
      title: t("collisions.col.branches"),
      key: "branches",
      render: (_, c) => (
        <Space size={4} wrap data-testid="case-branches">
          <span>{c.branches.join(" · ")}</span>
          {c.decider === "director" && NEEDS_ACTION.has(c.state) && <Tag color="gold">{t("collisions.awaitingDirector")}</Tag>}
        </Space>
      ),
    },
    {
      title: t("collisions.col.surfaced"),
      key: "surfaced",
      render: (_, c) =>
        c.surfaced_at ? dateTime(c.surfaced_at) : <Typography.Text type="secondary">{t("collisions.notSurfaced")}</Typography.Text>,
    },
    {
      title: t("collisions.col.sla"),
      key: "sla",
      render: (_, c) => <SlaTimer dueAt={c.due_at} overdue={c.overdue} settled={!NEEDS_ACTION.has(c.state) && c.open_appeals === 0} />,
    },
    {
      title: t("collisions.col.state"),
      key: "state",
      render: (_, c) => (
        <Space size={4} wrap>
          <CaseStateTag state={c.state} />
          {c.open_appeals > 0 && <Badge status="error" text={t("collisions.openAppeals", { n: c.open_appeals })} />}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t("collisions.title")}
        hint={t("collisions.hint")}
        extra={
          <Space>
            <ExportButtons what="cases" />
            {manager && (
              <Space size={6}>
                <Switch size="small" checked={mineOnly} onChange={setMineOnly} data-testid="mine-only" />
                <Typography.Text>{t("collisions.mineOnly")}</Typography.Text>
              </Space>
            )}
            <Segmented<"all" | "open" | "cross">
              value={filter}
              onChange={setFilter}
              data-testid="collisions-filter"
              options={[
                { value: "all", label: t("collisions.filter.all") },
                { value: "open", label: t("collisions.filter.open") },
                ...(manager ? [{ value: "cross" as const, label: t("collisions.filter.cross") }] : []),
              ]}
            />
            <Button icon={<ReloadOutlined />} onClick={refresh} aria-label={t("collisions.refresh")} data-testid="collisions-refresh" />
          </Space>
        }
      />
      {list.error ? (
        <ErrorAlert error={list.error} onRetry={list.reload} />
      ) : (
        <Card>
          <Table<CaseSummary>
            rowKey="id"
            size="middle"
            loading={!list.data}
            columns={columns}
            dataSource={shown}
            pagination={shown.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
            locale={{ emptyText: list.data ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("collisions.empty")} /> : <span /> }}
            rowClassName="lg-clickable"
            onRow={(c) => ({ onClick: () => open(c.id), "data-testid": "case-row" }) as React.HTMLAttributes<HTMLElement>}
            footer={cases.length > 0 ? () => t("collisions.count", { n: number(shown.length) }) : undefined}
          />
        </Card>
      )}
      <CaseDrawer
        id={openId}
        onClose={() => open(null)}
        onChanged={list.reload}
        company={(leadId) => companies[leadId]}
      />
    </>
  );
}
