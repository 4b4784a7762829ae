/** The public pool (公海): customers without an owner, claimable by anyone allowed. */
import { App, Button, Card } from "antd";
import { useState } from "react";
import { call } from "../api/transport";
import { useCommand } from "../api/useCommand";
import { errorText } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";
import { LeadListView } from "../leads/LeadListView";
import { LeadDrawer } from "../leads/LeadDrawer";

export function PoolScreen() {
  const { t } = useI18n();
  const [open, setOpen] = useState<string | null>(null);
  const { message } = App.useApp();
  const page = useCommand("lead_list", { filter: "pool", limit: 200 });
  const [busy, setBusy] = useState<string | null>(null);
  const claim = async (id: string, company: string | undefined) => {
    setBusy(id);
    try {
      await call("lead_claim", { id });
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
      <PageHeader title={t("pool.title")} hint={t("pool.hint")} />
      <Card>
        <LeadListView
          page={page}
          onOpen={(l) => setOpen(l.id)}
          empty={t("pool.empty")}
          actions={(l) => (
            <Button
              type="primary"
              size="small"
              disabled={!l.claimable}
              loading={busy === l.id}
              data-testid="claim"
              onClick={() => claim(l.id, l.fields.company)}
            >
              {t("pool.claim")}
            </Button>
          )}
        />
      </Card>
      <LeadDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
