/**
 * The application shell: sidebar navigation, the header with the connection state and
 * language switch, and the current screen. Ant Design's locale follows the UI locale.
 */
import { App as AntApp, ConfigProvider, Layout, Menu, Segmented, Tag, Tooltip, Typography } from "antd";
import {
  BarChartOutlined,
  InboxOutlined,
  SearchOutlined,
  SettingOutlined,
  SyncOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UserAddOutlined,
} from "@ant-design/icons";
import zhCNLocale from "antd/locale/zh_CN";
import enUSLocale from "antd/locale/en_US";
import type { ReactNode } from "react";
import { I18nProvider, useI18n, type Locale, type MessageKey } from "../i18n";
import { LOCALES } from "../i18n/translate";
import { theme } from "./theme";
import { useRoute, type Screen } from "./route";
import { useOnline } from "./useOnline";
import { SettingsScreen } from "../screens/SettingsScreen";
import { PendingScreen } from "../screens/PendingScreen";

const NAV: { key: Screen; label: MessageKey; icon: ReactNode }[] = [
  { key: "search", label: "nav.search", icon: <SearchOutlined /> },
  { key: "new", label: "nav.newLead", icon: <UserAddOutlined /> },
  { key: "mine", label: "nav.mine", icon: <TeamOutlined /> },
  { key: "pool", label: "nav.pool", icon: <InboxOutlined /> },
  { key: "collisions", label: "nav.collisions", icon: <ThunderboltOutlined /> },
  { key: "sync", label: "nav.sync", icon: <SyncOutlined /> },
  { key: "metrics", label: "nav.metrics", icon: <BarChartOutlined /> },
  { key: "settings", label: "nav.settings", icon: <SettingOutlined /> },
];

function ScreenView({ screen }: { screen: Screen }) {
  switch (screen) {
    case "search":
      return <PendingScreen title="search.title" hint="search.hint" reason="core" />;
    case "new":
      return <PendingScreen title="newLead.title" hint="newLead.hint" reason="core" />;
    case "mine":
      return <PendingScreen title="mine.title" hint="mine.title" reason="core" />;
    case "pool":
      return <PendingScreen title="pool.title" hint="pool.hint" reason="core" />;
    case "collisions":
      return <PendingScreen title="collisions.title" hint="collisions.hint" reason="sync" />;
    case "sync":
      return <PendingScreen title="sync.title" hint="sync.hint" reason="sync" />;
    case "metrics":
      return <PendingScreen title="metrics.title" hint="metrics.hint" reason="sync" />;
    case "settings":
      return <SettingsScreen />;
  }
}

export function OnlineIndicator() {
  const { t } = useI18n();
  const online = useOnline();
  return (
    <Tooltip title={t(online ? "status.onlineHint" : "status.offlineHint")}>
      <Tag color={online ? "success" : "default"} data-testid="online-state" className="lg-online">
        <span className={online ? "lg-dot lg-dot-on" : "lg-dot"} />
        {t(online ? "status.online" : "status.offline")}
      </Tag>
    </Tooltip>
  );
}

function Shell() {
  const { t, locale, setLocale } = useI18n();
  const [screen, go] = useRoute();
  return (
    <ConfigProvider locale={locale === "zh-CN" ? zhCNLocale : enUSLocale} theme={theme}>
      <AntApp>
        <Layout style={{ minHeight: "100vh" }}>
          <Layout.Sider width={208} breakpoint="lg" collapsedWidth={64}>
            <div className="lg-brand">
              <img src="./favicon.svg" alt="" width={28} height={28} />
              <span className="lg-brand-name">{t("app.name")}</span>
            </div>
            <Menu
              theme="dark"
              mode="inline"
              selectedKeys={[screen]}
              onClick={(e) => go(e.key as Screen)}
              items={NAV.map((n) => ({ key: n.key, icon: n.icon, label: t(n.label), "data-testid": `nav-${n.key}` }))}
            />
          </Layout.Sider>
          <Layout>
            <Layout.Header className="lg-header">
              <Typography.Text type="secondary" className="lg-tagline">
                {t("app.tagline")}
              </Typography.Text>
              <div className="lg-header-right">
                <OnlineIndicator />
                <Segmented<Locale>
                  size="small"
                  value={locale}
                  onChange={setLocale}
                  aria-label={t("lang.label")}
                  options={LOCALES.map((l) => ({ value: l, label: t(`lang.${l}`) }))}
                />
              </div>
            </Layout.Header>
            <Layout.Content className="lg-content">
              <ScreenView screen={screen} />
            </Layout.Content>
          </Layout>
        </Layout>
      </AntApp>
    </ConfigProvider>
  );
}

export function App({ locale }: { locale?: Locale }) {
  return (
    <I18nProvider locale={locale}>
      <Shell />
    </I18nProvider>
  );
}
