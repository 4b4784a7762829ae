/**
 * My customers: protection countdowns, the expiring-soon list, follow-up entry and
 * release to the pool, and my registrations still missing details (待补全), which count
 * as nothing until completed.
 */
import { App, Button, Card, Popconfirm, Segmented, Space } from "antd";
import { useState } from "react";
import { useCommand, useWrite } from "../api/useCommand";
import { errorText } from "../components/errors";
import { ExportButtons } from "../components/ExportButtons";
import { PageHeader } from "../components/PageHeader";
import { useSession } from "../app/session";
import { useI18n } from "../i18n";
import { FollowupDialog } from "../leads/FollowupDialog";
import { LeadListView } from "../leads/LeadListView";
import { usePagedList } from "../leads/usePagedList";
import { LeadDrawer } from "../leads/LeadDrawer";
import { LeadEditDialog } from "../leads/LeadEditDialog";

type Tab = "mine" | "expiring" | "incomplete";

export function MyCustomersScreen() {
  const { t } = useI18n();
  const [open, setOpen] = useState<string | null>(null);
  const { message } = App.useApp();
  const [tab, setTab] = useState<Tab>("mine");
  const { session } = useSession();
  const cooldownHours = session?.policy.reclaim_cooldown_hours ?? 24;
  const manager = session?.rep.role === "manager";
  // A manager's expiring list would otherwise be the whole team's: here it is their own
  // (the team's is under 团队管理).
  const me = session?.rep.id;
  const ready = { enabled: me !== undefined };
  const { query: page, paging } = usePagedList(tab === "expiring" ? { filter: tab, owner: me } : { filter: tab }, ready);
  const expiring = useCommand("lead_list", { filter: "expiring", owner: me, limit: 1 }, ready);
  const incomplete = useCommand("lead_list", { filter: "incomplete", limit: 1 });
  const [completing, setCompleting] = useState<string | null>(null);
  const reloadAll = () => {
    page.reload();
    expiring.reload();
    incomplete.reload();
  };
  const [followup, setFollowup] = useState<{ id: string; company?: string; protected_until?: string | null } | null>(null);
  const releaseLead = useWrite("lead_release");
  const release = async (id: string) => {
    try {
      await releaseLead.mutateAsync({ id });
      reloadAll();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  const expiringCount = expiring.data ? Number(expiring.data.total) : 0;
  const incompleteCount = incomplete.data ? Number(incomplete.data.total) : 0;
  return (
    <>
      <PageHeader
        title={t("mine.title")}
        hint={t("mine.hint")}
        extra={
          <Segmented<Tab>
            value={tab}
            onChange={setTab}
            options={[
              { value: "mine", label: t("mine.all") },
              { value: "expiring", label: `${t("mine.expiring")} (${expiringCount})` },
              { value: "incomplete", label: <span data-testid="tab-incomplete">{`${t("mine.incomplete")} (${incompleteCount})`}</span> },
            ]}
          />
        }
      />
      <ExportButtons what="mine" bar />
      <Card>
        <LeadListView
          page={page}
          paging={paging}
          onOpen={(l) => setOpen(l.id)}
          empty={
            tab === "incomplete" ? (
              t("mine.incompleteEmpty")
            ) : manager ? (
              <span data-testid="mine-empty-manager">
                {t("mine.emptyManager")}{" "}
                <Button type="link" size="small" onClick={() => (window.location.hash = "/team")}>
                  {t("mine.toTeam")}
                </Button>
              </span>
            ) : (
              t("mine.empty")
            )
          }
          actions={(l) =>
            tab === "incomplete" ? (
              <Button size="small" type="primary" data-testid="complete" onClick={() => setCompleting(l.id)}>
                {t("edit.complete")}
              </Button>
            ) : (
              // A manager's expiring list holds the team's customers: only their owner acts on them.
              l.editable && (
                <Space>
                  <Button size="small" type="primary" ghost data-testid="followup" onClick={() => setFollowup({ id: l.id, company: l.fields.company, protected_until: l.protected_until })}>
                    {t("mine.followup")}
                  </Button>
                  {l.state === "protected" && (
                    <Popconfirm
                      title={t("mine.release")}
                      description={<span data-testid="release-warning">{t("mine.releaseWarning", { hours: cooldownHours })}</span>}
                      okText={t("mine.release")} cancelText={t("common.cancel")} onConfirm={() => release(l.id)}>
                      <Button size="small" danger>
                        {t("mine.release")}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              )
            )
          }
        />
      </Card>
      <FollowupDialog
        lead={followup}
        onClose={() => setFollowup(null)}
        onSaved={() => {
          setFollowup(null);
          reloadAll();
        }}
      />
      <LeadEditDialog
        id={completing}
        onClose={() => setCompleting(null)}
        onSaved={() => {
          setCompleting(null);
          reloadAll();
        }}
      />
      <LeadDrawer id={open} onClose={() => setOpen(null)} onChanged={reloadAll} />
    </>
  );
}
