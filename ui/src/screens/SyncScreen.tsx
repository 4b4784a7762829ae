/**
 * Sync: what this device knows about its hub — configured or not, last successful sync,
 * local changes not yet acknowledged — from the core's `session`. Works with no hub.
 */
import { Alert, Card, Descriptions, Space } from "antd";
import { useSession } from "../app/session";
import { useOnline } from "../app/useOnline";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";

export function SyncScreen() {
  const { t, dateTime, number } = useI18n();
  const { session } = useSession();
  const online = useOnline();
  if (!session) return null;
  return (
    <>
      <PageHeader title={t("sync.title")} hint={t("sync.hint")} />
      <Space direction="vertical" size="large" style={{ width: "100%" }}>
        {!session.hub_url && <Alert type="info" showIcon message={t("sync.notConfigured")} data-testid="sync-not-configured" />}
        <Card>
          <Descriptions column={1} bordered size="small">
            <Descriptions.Item label={t("sync.state")}>{t(online ? "status.online" : "status.offline")}</Descriptions.Item>
            <Descriptions.Item label={t("sync.hub")}>{session.hub_url ?? t("sync.hubNone")}</Descriptions.Item>
            <Descriptions.Item label={t("sync.lastSync")}>
              {session.last_sync_at ? dateTime(session.last_sync_at) : t("sync.never")}
            </Descriptions.Item>
            <Descriptions.Item label={t("sync.pending")}>
              <span data-testid="pending-changes">{number(Number(session.pending_changes))}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t("sync.device")}>
              <code>{session.device}</code>
            </Descriptions.Item>
          </Descriptions>
        </Card>
      </Space>
    </>
  );
}
