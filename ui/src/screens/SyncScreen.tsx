/**
 * Sync: this device's hub — join one with an enrolment code, sync now with progress,
 * the last sync and the local changes not yet acknowledged (from `session`). Every
 * failure is shown in plain words by its code (`sync` = hub unreachable/refused); the
 * rest of the app keeps working with no hub.
 */
import { Alert, App, Button, Card, Descriptions, Form, Input, Progress, Space } from "antd";
import { SyncOutlined } from "@ant-design/icons";
import { useState } from "react";
import type { SyncProgress } from "../api/generated/SyncProgress";
import type { SyncReport } from "../api/generated/SyncReport";
import { useCommand, useWrite } from "../api/useCommand";
import { useSession } from "../app/session";
import { useOnline } from "../app/useOnline";
import { ErrorAlert } from "../components/ErrorAlert";
import { errorText } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { QuarantineCard } from "./QuarantineCard";
import { useI18n, type MessageKey } from "../i18n";

/** How far the device clock may be off the hub's before the rep is warned (as the core's `CLOCK_TOLERANCE_SECS`). */
const CLOCK_TOLERANCE_SECS = 5 * 60;

/** How often a running sync's progress is read (the core answers without waiting for it). */
const PROGRESS_POLL_MS = 250;

/** The progress bar of a running sync: changes pushed of the total, then pulled so far. */
function SyncProgressBar() {
  const { t, number } = useI18n();
  // A failed reading keeps the last one (a query keeps its data on error).
  const p: SyncProgress | null = useCommand("sync_progress", null, { refetchInterval: PROGRESS_POLL_MS }).data?.progress ?? null;
  const total = p?.total ?? null;
  const percent = p && total ? Math.min(100, Math.round((p.done / total) * 100)) : 100;
  const label = !p
    ? t("sync.running")
    : t(`sync.phase.${p.phase}` as MessageKey, { done: number(p.done), total: total === null ? "?" : number(total) });
  return (
    <div data-testid="sync-progress" data-phase={p?.phase ?? ""}>
      <Progress percent={percent} status="active" showInfo={total !== null} />
      <span className="lg-muted">{label}</span>
    </div>
  );
}

/** The device clock is off the hub's: offline actions count at hub time, so the rep must fix it. */
export function ClockBanner({ skewSecs }: { skewSecs: number }) {
  const { t } = useI18n();
  // To the nearest minute: the measurement itself takes a moment.
  const m = Math.round(Math.abs(skewSecs) / 60);
  const args = { days: Math.floor(m / 1440), hours: Math.floor((m % 1440) / 60), minutes: m % 60 };
  return (
    <Alert
      type="warning"
      showIcon
      banner
      data-testid="clock-banner"
      message={t(skewSecs > 0 ? "sync.clock.ahead" : "sync.clock.behind", args)}
      description={t("sync.clock.hint")}
    />
  );
}

/** The enrolment link a manager's invitation shows (and its QR code encodes):
 * `leadguard://enroll?hub=…&token=…`. Pasted into either field, it fills both. */
export function parseEnrolLink(text: string): { hub_url: string; token: string } | null {
  const s = text.trim();
  if (!s.startsWith("leadguard://enroll?")) return null;
  const q = new URLSearchParams(s.slice("leadguard://enroll?".length));
  const hub_url = q.get("hub")?.trim();
  const token = q.get("token")?.trim();
  return hub_url && token ? { hub_url, token } : null;
}

function EnrollCard({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ hub_url: string; token: string }>();
  const fillFromLink = (changed: Partial<{ hub_url: string; token: string }>) => {
    const link = parseEnrolLink(changed.token ?? changed.hub_url ?? "");
    if (link) form.setFieldsValue(link);
  };
  const [saving, setSaving] = useState(false);
  const enroll = useWrite("sync_enroll");
  const submit = async (v: { hub_url: string; token: string }) => {
    setSaving(true);
    try {
      const r = await enroll.mutateAsync({ hub_url: v.hub_url.trim(), token: v.token.trim() });
      message.success(t("sync.enrolled", { hub: r.hub_url }));
      onDone();
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };
  const required = (label: string) => [{ required: true, whitespace: true, message: t("newLead.required", { field: label }) }];
  return (
    <Card title={t("sync.enrollTitle")}>
      <Form form={form} layout="inline" onFinish={submit} onValuesChange={fillFromLink}>
        <Form.Item name="hub_url" label={t("sync.hubUrl")} rules={required(t("sync.hubUrl"))}>
          <Input placeholder="https://hub.example.com" style={{ width: 280 }} data-testid="hub-url" />
        </Form.Item>
        <Form.Item name="token" label={t("sync.enrollToken")} rules={required(t("sync.enrollToken"))}>
          <Input.Password style={{ width: 220 }} data-testid="hub-token" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t("sync.enroll")}
        </Button>
      </Form>
    </Card>
  );
}

export function SyncScreen() {
  const { t, dateTime, number } = useI18n();
  const { session, reload } = useSession();
  const online = useOnline();
  const [running, setRunning] = useState(false);
  // A sync pulls colleagues' changes: every list shown is refetched after it.
  const sync = useWrite("sync_run");
  const [report, setReport] = useState<SyncReport | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  if (!session) return null;
  // This run's measurement, else the last sync's (also one run from the CLI).
  const skew = report ? report.clock_skew_secs : (session.last_clock_skew_secs ?? null);
  const syncNow = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setReport(await sync.mutateAsync(null));
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  };
  return (
    <>
      <PageHeader
        title={t("sync.title")}
        hint={t("sync.hint")}
        extra={
          session.hub_url && (
            <Button type="primary" icon={<SyncOutlined spin={running} />} loading={running} onClick={syncNow} data-testid="sync-now">
              {t(running ? "sync.running" : "sync.now")}
            </Button>
          )
        }
      />
      <Space direction="vertical" size="large" style={{ width: "100%" }}>
        {!session.hub_url && <Alert type="info" showIcon message={t("sync.notConfigured")} data-testid="sync-not-configured" />}
        {running && <SyncProgressBar />}
        {error !== undefined && <ErrorAlert error={error} onRetry={syncNow} />}
        {!running && skew !== null && Math.abs(skew) > CLOCK_TOLERANCE_SECS && <ClockBanner skewSecs={skew} />}
        {report && !running && report.resent_after_restore != null && (
          <Alert
            type="warning"
            showIcon
            data-testid="sync-restored"
            message={t("sync.hubRestored", { count: number(report.resent_after_restore) })}
          />
        )}
        {report && !running && (
          <Alert
            type="success"
            showIcon
            data-testid="sync-report"
            message={t("sync.done", {
              pushed: number(report.pushed),
              pulled: number(report.pulled),
              applied: number(report.applied),
              leads: number(report.touched_leads.length),
            })}
          />
        )}
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
        {!session.hub_url && <EnrollCard onDone={reload} />}
        {session.rep.role === "manager" && <QuarantineCard key={report?.synced_at ?? ""} />}
      </Space>
    </>
  );
}
