/**
 * The application shell: sidebar navigation, the header with the connection state and
 * language switch, and the current screen. Ant Design's locale follows the UI locale.
 */
import { App as AntApp, ConfigProvider, Layout, Menu, Segmented, Skeleton, Tag, Tooltip, Typography } from "antd";
import {
  AuditOutlined,
  BarChartOutlined,
  ContactsOutlined,
  HomeOutlined,
  UploadOutlined,
  InboxOutlined,
  SearchOutlined,
  SettingOutlined,
  SyncOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UsergroupAddOutlined,
  UserAddOutlined,
  UserOutlined,
} from "@ant-design/icons";
import zhCNLocale from "antd/locale/zh_CN";
import enUSLocale from "antd/locale/en_US";
import { useMemo, type ReactNode } from "react";
import { I18nProvider, useI18n, type Locale, type MessageKey } from "../i18n";
import { LOCALES } from "../i18n/translate";
import { themeFor } from "./theme";
import { useReducedMotion } from "./useReducedMotion";
import { ImportScreen } from "../import/ImportScreen";
import { useRoute, type Screen } from "./route";
import { useOnline } from "./useOnline";
import { NotificationBell } from "./NotificationBell";
import { DemoUserSwitch } from "./DemoUserSwitch";
import { SettingsScreen } from "../screens/SettingsScreen";
import { SearchScreen } from "../screens/SearchScreen";
import { HomeScreen } from "../home/HomeScreen";
import { NewLeadScreen } from "../screens/NewLeadScreen";
import { MyCustomersScreen } from "../screens/MyCustomersScreen";
import { PoolScreen } from "../screens/PoolScreen";
import { InitScreen } from "../screens/InitScreen";
import { SyncScreen } from "../screens/SyncScreen";
import { CollisionsScreen } from "../collisions/CollisionsScreen";
import { MetricsScreen } from "../metrics/MetricsScreen";
import { TeamScreen } from "../team/TeamScreen";
import { ReportsScreen } from "../reports/ReportsScreen";
import { FrontDeskScreen } from "../frontdesk/FrontDeskScreen";
import { SessionProvider, useSession } from "./session";
import { ErrorAlert } from "../components/ErrorAlert";

type RoleName = "rep" | "manager" | "distributor" | "receptionist" | "director";
/** Who works with customers; a receptionist (前台) sees only the front desk, search, sync and settings. */
const SALES: RoleName[] = ["rep", "manager", "distributor"];
const NAV: { key: Screen; label: MessageKey; icon: ReactNode; managers?: boolean; roles?: RoleName[] }[] = [
  { key: "home", label: "nav.home", icon: <HomeOutlined />, roles: SALES },
  { key: "frontdesk", label: "nav.frontDesk", icon: <ContactsOutlined />, roles: ["receptionist"] },
  { key: "search", label: "nav.search", icon: <SearchOutlined /> },
  { key: "new", label: "nav.newLead", icon: <UserAddOutlined />, roles: SALES },
  { key: "mine", label: "nav.mine", icon: <TeamOutlined />, roles: SALES },
  { key: "pool", label: "nav.pool", icon: <InboxOutlined />, roles: SALES },
  { key: "import", label: "nav.import", icon: <UploadOutlined />, roles: SALES },
  { key: "reports", label: "nav.reports", icon: <AuditOutlined />, roles: ["manager", "distributor"] },
  { key: "team", label: "nav.team", icon: <UsergroupAddOutlined />, managers: true },
  // The director (总监) works the cross-branch queue (rule 17).
  { key: "collisions", label: "nav.collisions", icon: <ThunderboltOutlined />, roles: [...SALES, "director"] },
  { key: "sync", label: "nav.sync", icon: <SyncOutlined /> },
  { key: "metrics", label: "nav.metrics", icon: <BarChartOutlined />, roles: SALES },
  { key: "settings", label: "nav.settings", icon: <SettingOutlined /> },
];

/** Screens that need the registry wait for the session; a new device is offered set-up. */
function ScreenView({ screen, go }: { screen: Screen; go: (s: Screen) => void }) {
  const session = useSession();
  if (screen === "settings") return <SettingsScreen />;
  if (session.uninitialised) return <InitScreen onDone={session.reload} />;
  if (session.error) return <ErrorAlert error={session.error} onRetry={session.reload} />;
  if (!session.session) return <Skeleton active />;
  if (session.session.rep.role === "receptionist" && screen === "home") return <FrontDeskScreen />;
  if (session.session.rep.role === "director" && screen === "home") return <CollisionsScreen />;
  switch (screen) {
    case "frontdesk":
      return <FrontDeskScreen />;
    case "home":
      return <HomeScreen />;
    case "search":
      return <SearchScreen />;
    case "new":
      return <NewLeadScreen onRegistered={() => go("mine")} />;
    case "mine":
      return <MyCustomersScreen />;
    case "pool":
      return <PoolScreen />;
    case "import":
      return <ImportScreen />;
    case "reports":
      return <ReportsScreen />;
    case "team":
      return <TeamScreen />;
    case "collisions":
      return <CollisionsScreen />;
    case "sync":
      return <SyncScreen />;
    case "metrics":
      return <MetricsScreen />;
  }
}

/** Renders its children once the device has a registry. */
function SessionOnly({ children }: { children: ReactNode }) {
  const { session } = useSession();
  return session ? <>{children}</> : null;
}

/** Who is using the app, in the header. */
function SessionBadge() {
  const { t } = useI18n();
  const { session } = useSession();
  if (!session) return null;
  return (
    <span className="lg-session" data-testid="session">
      <UserOutlined /> {session.rep.name}
      <Tag bordered={false} color="blue" style={{ marginLeft: 8 }}>
        {t(`session.role.${session.rep.role}`)}
      </Tag>
    </span>
  );
}

export function OnlineIndicator() {
  const { t } = useI18n();
  const online = useOnline();
  const { session } = useSession();
  // Without a hub there is nothing to be online to: say the data stays here.
  const local = !session?.hub_url;
  const state = !online ? "offline" : local ? "local" : "online";
  return (
    <Tooltip title={t(`status.${state}Hint`)}>
      <Tag color={state === "online" ? "success" : "default"} data-testid="online-state" className="lg-online">
        <span className={state === "online" ? "lg-dot lg-dot-on" : "lg-dot"} />
        {t(`status.${state}`)}
      </Tag>
    </Tooltip>
  );
}

function Shell() {
  const { t, locale, setLocale } = useI18n();
  const [screen, go] = useRoute();
  const role = useSession().session?.rep.role;
  const manager = role === "manager";
  const reducedMotion = useReducedMotion();
  const theme = useMemo(() => themeFor(reducedMotion), [reducedMotion]);
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
              items={NAV.filter((n) => (!n.managers || manager) && (!n.roles || (role === undefined ? n.roles.includes("rep") : n.roles.includes(role)))).map((n) => ({ key: n.key, icon: n.icon, label: t(n.label), "data-testid": `nav-${n.key}` }))}
            />
          </Layout.Sider>
          <Layout>
            <Layout.Header className="lg-header">
              <Typography.Text type="secondary" className="lg-tagline">
                {t("app.tagline")}
              </Typography.Text>
              <div className="lg-header-right">
                <SessionBadge />
                <DemoUserSwitch />
                <SessionOnly>
                  <NotificationBell />
                </SessionOnly>
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
              <ScreenView screen={screen} go={go} />
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
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </I18nProvider>
  );
}
