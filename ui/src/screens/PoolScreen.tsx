/** The public pool (公海): customers without an owner, claimable by anyone allowed. */
import { App, Button, Card, Tooltip } from "antd";
import type { LeadView } from "../api/generated/LeadView";
import { useSession } from "../app/session";
import { useState } from "react";
import { useCommand, useWrite } from "../api/useCommand";
import { errorText } from "../components/errors";
import { ExportButtons } from "../components/ExportButtons";
import { PageHeader } from "../components/PageHeader";
import { useI18n, type I18n } from "../i18n";
import { LeadListView } from "../leads/LeadListView";
import { LeadDrawer } from "../leads/LeadDrawer";

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
  const page = useCommand("lead_list", { filter: "pool", limit: 200 });
  const [busy, setBusy] = useState<string | null>(null);
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
      <PageHeader title={t("pool.title")} hint={t("pool.hint")} extra={<ExportButtons what="pool" />} />
      <Card>
        <LeadListView
          page={page}
          onOpen={(l) => setOpen(l.id)}
          empty={t("pool.empty")}
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
