import { Card, Descriptions, Segmented, Skeleton, Space } from "antd";
import { useCommand } from "../api/useCommand";
import { isTauri } from "../api/transport";
import { ErrorAlert } from "../components/ErrorAlert";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";
import { LOCALES, type Locale } from "../i18n/translate";
import { useSession } from "../app/session";
import { PolicyCard } from "./PolicyCard";
import { DevicesCard } from "../team/DevicesCard";

/** Language, and what this installation is (version, data directory, connection). */
export function SettingsScreen() {
  const { t, locale, setLocale } = useI18n();
  const info = useCommand("app_info", null);
  const { session } = useSession();
  return (
    <>
      <PageHeader title={t("settings.title")} />
      <Space direction="vertical" size="large" style={{ width: "100%" }}>
        <Card title={t("settings.language")}>
          <Segmented<Locale>
            value={locale}
            onChange={setLocale}
            options={LOCALES.map((l) => ({ value: l, label: t(`lang.${l}`) }))}
          />
        </Card>
        <Card title={t("settings.about")}>
          {info.error ? (
            <ErrorAlert error={info.error} onRetry={info.reload} />
          ) : !info.data ? (
            <Skeleton active paragraph={{ rows: 2 }} />
          ) : (
            <Descriptions column={1} bordered size="small">
              <Descriptions.Item label={t("settings.version")}>
                {info.data.name} {info.data.version}
              </Descriptions.Item>
              <Descriptions.Item label={t("settings.dataDir")}>
                <code data-testid="data-dir">{info.data.data_dir}</code>
              </Descriptions.Item>
              <Descriptions.Item label={t("settings.transport")}>
                {t(isTauri() ? "settings.transport.tauri" : "settings.transport.http")}
              </Descriptions.Item>
            </Descriptions>
          )}
        </Card>
        {session && <PolicyCard />}
        {session?.rep.role === "manager" && <DevicesCard />}
      </Space>
    </>
  );
}
