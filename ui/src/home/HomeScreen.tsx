/**
 * 工作台 (home), the first screen: what needs me today — my customers whose protection
 * ends within 24 h (a manager: the team's), the open collision cases naming me (a
 * manager: the branch's), pending appeals, and recent activity from the notifications.
 * A reminder banner stands on top while something expires; the desktop shell shows the
 * same reminder as a desktop notification (core `protection_ending`).
 */
import { Alert, Badge, Card, Col, Empty, List, Row, Space, Statistic, Typography } from "antd";
import { useState } from "react";
import type { CaseSummary } from "../api/generated/CaseSummary";
import { useCommand } from "../api/useCommand";
import { useSession } from "../app/session";
import { CaseStateTag, joinNames } from "../collisions/parts";
import { useCompanies } from "../collisions/useCompanies";
import { useRepNames } from "../collisions/useReps";
import { ErrorAlert } from "../components/ErrorAlert";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";
import { LeadDrawer } from "../leads/LeadDrawer";
import { Protection } from "../leads/Protection";

const NEEDS_ACTION = new Set(["open", "conflict", "reopened"]);
const openCase = (id: string) => (window.location.hash = `#/collisions/${id}`);

export function HomeScreen() {
  const { t, locale, dateTime, number } = useI18n();
  const { session } = useSession();
  const manager = session?.rep.role === "manager";
  const expiring = useCommand("lead_list", { filter: "expiring", limit: 20 });
  const cases = useCommand("collisions_list", manager ? {} : { mine: true });
  const activity = useCommand("notifications_list", null);
  const name = useRepNames();
  const [lead, setLead] = useState<string | null>(null);
  const all = cases.data?.cases ?? [];
  const open = all.filter((c) => NEEDS_ACTION.has(c.state));
  const appeals = all.filter((c) => c.open_appeals > 0);
  const companies = useCompanies([...open, ...appeals].map((c) => c.lead_ids[0]));
  const soon = expiring.data?.items ?? [];
  const recent = (activity.data?.items ?? []).slice(0, 8);

  const caseItem = (c: CaseSummary) => (
    <List.Item key={c.id} onClick={() => openCase(c.id)} className="lg-clickable" data-testid="home-case">
      <Space wrap>
        <Typography.Text strong>{companies[c.lead_ids[0]] ?? t("home.customer")}</Typography.Text>
        <span>{joinNames(locale, c.reps.map(name))}</span>
        <CaseStateTag state={c.state} />
        {c.open_appeals > 0 && <Badge status="error" text={t("collisions.openAppeals", { n: c.open_appeals })} />}
      </Space>
    </List.Item>
  );

  return (
    <>
      <PageHeader title={t("home.title", { name: session?.rep.name ?? "" })} hint={t(manager ? "home.hintManager" : "home.hint")} />
      {soon.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="home-reminder"
          message={t(manager ? "home.reminderTeam" : "home.reminder", { n: number(Number(expiring.data?.total ?? soon.length)) })}
          description={t("home.reminderHow")}
        />
      )}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("home.stat.expiring")} value={Number(expiring.data?.total ?? 0)} valueStyle={soon.length ? { color: "#cf1322" } : undefined} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t(manager ? "home.stat.casesTeam" : "home.stat.cases")} value={open.length} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("home.stat.appeals")} value={appeals.length} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("home.stat.unseen")} value={activity.data?.unseen ?? 0} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t(manager ? "home.expiringTeam" : "home.expiring")} size="small" data-testid="home-expiring">
            {expiring.error ? (
              <ErrorAlert error={expiring.error} onRetry={expiring.reload} />
            ) : (
              <List
                size="small"
                loading={!expiring.data}
                dataSource={soon}
                locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("home.expiringNone")} /> }}
                renderItem={(l) => (
                  <List.Item key={l.id} onClick={() => setLead(l.id)} className="lg-clickable" data-testid="home-expiring-item">
                    <Space direction="vertical" size={0}>
                      <Typography.Text strong>{l.fields.company}</Typography.Text>
                      <Space wrap size={8}>
                        {manager && l.owner_name && <Typography.Text type="secondary">{l.owner_name}</Typography.Text>}
                        <Protection until={l.protected_until} />
                      </Space>
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t(manager ? "home.casesTeam" : "home.cases")} size="small" data-testid="home-cases">
            <List
              size="small"
              loading={!cases.data && !cases.error}
              dataSource={open}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("home.casesNone")} /> }}
              renderItem={caseItem}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t("home.appeals")} size="small" data-testid="home-appeals">
            <List
              size="small"
              dataSource={appeals}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("home.appealsNone")} /> }}
              renderItem={caseItem}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t("home.activity")} size="small" data-testid="home-activity">
            <List
              size="small"
              dataSource={recent}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("home.activityNone")} /> }}
              renderItem={(n) => (
                <List.Item
                  key={n.id}
                  className="lg-clickable"
                  onClick={() => (n.case_id ? openCase(n.case_id) : n.lead_id && setLead(n.lead_id))}
                >
                  <List.Item.Meta
                    title={
                      <span>
                        {locale === "zh-CN" ? n.title_zh : n.title_en}
                        {n.at && (
                          <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                            {dateTime(n.at)}
                          </Typography.Text>
                        )}
                      </span>
                    }
                    description={locale === "zh-CN" ? n.body_zh : n.body_en}
                  />
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
      <LeadDrawer id={lead} onClose={() => setLead(null)} onChanged={expiring.reload} />
    </>
  );
}
