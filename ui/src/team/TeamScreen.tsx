/**
 * 团队管理 (managers): the team's customers with filters, and the members — add a
 * member, hand a departing member's customers over to another. Only managers get here
 * from the menu; the core refuses the team list and handovers to anyone else.
 */
import { Alert, Button, Card, Table, Tabs, Tag } from "antd";
import { useState } from "react";
import { useCommand } from "../api/useCommand";
import type { Rep } from "../api/generated/Rep";
import { useSession } from "../app/session";
import { ErrorAlert } from "../components/ErrorAlert";
import { ExportButtons } from "../components/ExportButtons";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";
import { AddRepDialog } from "./AddRepDialog";
import { HandoverDialog } from "./HandoverDialog";
import { TeamCustomers } from "./TeamCustomers";

function Members({ reps, me, reload }: { reps: Rep[]; me: string; reload: () => void }) {
  const { t } = useI18n();
  const [adding, setAdding] = useState(false);
  const [leaving, setLeaving] = useState<Rep | null>(null);
  return (
    <>
      <Button type="primary" style={{ marginBottom: 16 }} onClick={() => setAdding(true)} data-testid="rep-add">
        {t("reps.add")}
      </Button>
      <Table<Rep>
        rowKey="id"
        size="middle"
        pagination={false}
        dataSource={reps}
        onRow={() => ({ "data-testid": "rep-row" }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t("reps.col.name"), dataIndex: "name" },
          { title: t("reps.col.id"), dataIndex: "id" },
          { title: t("reps.col.role"), dataIndex: "role", render: (r: Rep["role"]) => t(`session.role.${r}`) },
          { title: t("reps.col.region"), dataIndex: "region", render: (r: string | null) => r ?? t("common.none") },
          {
            title: t("reps.col.status"),
            dataIndex: "active",
            render: (a: boolean) => <Tag color={a ? "green" : "default"}>{t(a ? "reps.active" : "reps.inactive")}</Tag>,
          },
          {
            title: "",
            key: "actions",
            render: (_v, r) =>
              r.id !== me &&
              r.active && (
                <Button size="small" danger data-testid="handover" onClick={() => setLeaving(r)}>
                  {t("reps.handover")}
                </Button>
              ),
          },
        ]}
      />
      <AddRepDialog
        open={adding}
        reps={reps}
        onClose={() => setAdding(false)}
        onAdded={() => {
          setAdding(false);
          reload();
        }}
      />
      <HandoverDialog
        from={leaving}
        reps={reps}
        onClose={() => setLeaving(null)}
        onDone={() => {
          setLeaving(null);
          reload();
        }}
      />
    </>
  );
}

export function TeamScreen() {
  const { t } = useI18n();
  const { session } = useSession();
  const manager = session?.rep.role === "manager";
  const reps = useCommand("rep_list", null, { enabled: manager });
  const [tab, setTab] = useState("customers");
  return (
    <>
      <PageHeader title={t("team.title")} hint={t("team.hint")} extra={manager && <ExportButtons what="team" />} />
      <Card>
        {!manager ? (
          <Alert type="info" showIcon message={t("team.managerOnly")} data-testid="team-manager-only" />
        ) : reps.error ? (
          <ErrorAlert error={reps.error} onRetry={reps.reload} />
        ) : (
          <Tabs
            activeKey={tab}
            onChange={setTab}
            destroyOnHidden
            items={[
              { key: "customers", label: t("team.tab.customers"), children: <TeamCustomers reps={reps.data?.reps ?? []} /> },
              {
                key: "reps",
                label: <span data-testid="tab-reps">{t("team.tab.reps")}</span>,
                children: <Members reps={reps.data?.reps ?? []} me={session?.rep.id ?? ""} reload={reps.reload} />,
              },
            ]}
          />
        )}
      </Card>
    </>
  );
}
