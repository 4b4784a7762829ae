/**
 * The public pool (公海): customers without an owner, claimable by anyone allowed —
 * searchable, narrowed by region (华南 includes 广州 and 深圳), paged with the total; each
 * shows who followed it before and since when it is in the pool.
 */
import { App, Button, Card, Input, Space, Tooltip } from "antd";
import type { LeadView } from "../api/generated/LeadView";
import { useSession } from "../app/session";
import { useState } from "react";
import { useWrite } from "../api/useCommand";
import { useDebounced } from "../app/useDebounced";
import { errorText } from "../components/errors";
import { ExportButtons } from "../components/ExportButtons";
import { AssignDialog } from "./AssignDialog";
import { PageHeader } from "../components/PageHeader";
import { useI18n, type I18n } from "../i18n";
import { LeadListView } from "../leads/LeadListView";
import { LeadDrawer } from "../leads/LeadDrawer";
import { usePagedList } from "../leads/usePagedList";

/** Why the user cannot claim `l` now (`null` when they can): the cooldown's end when
 * they released or lost it recently (the core refuses the claim until then). */
export function claimBlockedReason(i18n: Pick<I18n, "t" | "dateTime">, l: LeadView, me: string | undefined, cooldownHours: number): string | null {
  if (l.claimable) return null;
  if (me && l.previous_owner === me && l.pool_since) {
    const until = new Date(new Date(l.pool_since).getTime() + cooldownHours * 3_600_000);
    return i18n.t("pool.cooldown", { until: i18n.dateTime(until) });
  }
  return i18n.t("pool.notClaimable");
}

export function PoolScreen() {
  const i18n = useI18n();
  const { t } = i18n;
  const [open, setOpen] = useState<string | null>(null);
  const { message } = App.useApp();
  const { session } = useSession();
  const [search, setSearch] = useState("");
  const [region, setRegion] = useState("");
  const q = useDebounced(search.trim(), 200);
  const r = useDebounced(region.trim(), 300);
  const { query: page, paging } = usePagedList({ filter: "pool", search: q || undefined, region: r || undefined });
  const [busy, setBusy] = useState<string | null>(null);
  const [assigning, setAssigning] = useState(false);
  const claimLead = useWrite("lead_claim");
  const claim = async (id: string, company: string | undefined) => {
    setBusy(id);
    try {
      await claimLead.mutateAsync({ id });
      message.success(t("pool.claimed", { company: company ?? id }));
      page.reload();
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <PageHeader
        title={t("pool.title")}
        hint={t("pool.hint")}
        extra={
          <Space>
            {session?.rep.role === "manager" && (
              <Button data-testid="pool-assign" onClick={() => setAssigning(true)}>
                {t("assign.button")}
              </Button>
            )}
            <ExportButtons what="pool" />
          </Space>
        }
      />
      <AssignDialog
        open={assigning}
        onClose={() => setAssigning(false)}
        onDone={() => {
          setAssigning(false);
          page.reload();
        }}
      />
      <Card>
        <Space wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            style={{ width: 300 }}
            placeholder={t("pool.search")}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="pool-search"
          />
          <Input
            allowClear
            style={{ width: 200 }}
            placeholder={t("pool.region")}
            value={region}
            onChange={(e) => setRegion(e.target.value)}
            data-testid="pool-region"
          />
        </Space>
        <LeadListView
          page={page}
          paging={paging}
          columns="pool"
          onOpen={(l) => setOpen(l.id)}
          empty={q || r ? t("pool.emptyFiltered") : t("pool.empty")}
          actions={(l) => {
            const blocked = claimBlockedReason(i18n, l, session?.rep.id, session?.policy.reclaim_cooldown_hours ?? 24);
            return (
              <Tooltip title={blocked}>
                <Button
                  type="primary"
                  size="small"
                  disabled={blocked !== null}
                  loading={busy === l.id}
                  data-testid="claim"
                  aria-description={blocked ?? undefined}
                  onClick={() => claim(l.id, l.fields.company)}
                >
                  {t("pool.claim")}
                </Button>
              </Tooltip>
            );
          }}
        />
      </Card>
      <LeadDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
