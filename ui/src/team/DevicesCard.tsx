/**
 * 成员与设备 (managers, in Settings): the branch's laptops as the hub knows them — who
 * has joined, who has a token waiting, when each last synced — with 邀请设备 (a one-time
 * token shown as text, as the command to type on the new laptop, and as a QR code of the
 * enrolment link) and 吊销 (the laptop's credential stops working at once). The hub
 * decides who may; the card only shows what it answers.
 */
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Tag, Typography } from "antd";
import QRCode from "qrcode";
import { useEffect, useState } from "react";
import type { DeviceInvitation } from "../api/generated/DeviceInvitation";
import type { DeviceRecord } from "../api/generated/DeviceRecord";
import type { Rep } from "../api/generated/Rep";
import { call } from "../api/transport";
import { useCommand } from "../api/useCommand";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n, type MessageKey } from "../i18n";

const STATE_COLOR: Record<string, string> = { enrolled: "green", pending: "gold", revoked: "default" };

/** The QR code of an enrolment link, as an SVG image (no canvas, no network). */
export function EnrolQr({ link }: { link: string }) {
  const { t } = useI18n();
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    QRCode.toString(link, { type: "svg", margin: 1, errorCorrectionLevel: "M" }).then((s) => alive && setSvg(s), () => alive && setSvg(null));
    return () => {
      alive = false;
    };
  }, [link]);
  if (!svg) return null;
  return <img data-testid="enrol-qr" alt={t("devices.qr")} width={180} height={180} src={`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`} />;
}

function InviteDialog({ open, reps, onClose, onInvited }: { open: boolean; reps: Rep[]; onClose: () => void; onInvited: () => void }) {
  const { t, dateTime } = useI18n();
  const [form] = Form.useForm<{ rep: string; name?: string; role: "rep" | "distributor"; ttl_hours: number }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [issued, setIssued] = useState<DeviceInvitation | null>(null);
  const close = () => {
    setIssued(null);
    setError(undefined);
    form.resetFields();
    onClose();
  };
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setError(undefined);
    try {
      const known = reps.find((r) => r.id === v.rep.trim());
      setIssued(await call("device_invite", { rep: v.rep.trim(), name: v.name?.trim() || known?.name || null, role: v.role, ttl_hours: v.ttl_hours }));
      onInvited();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t("devices.invite")}
      onCancel={close}
      destroyOnHidden
      footer={issued ? <Button onClick={close}>{t("devices.done")}</Button> : undefined}
      okText={t("devices.issue")}
      onOk={submit}
      confirmLoading={busy}
    >
      {issued ? (
        <Space direction="vertical" style={{ width: "100%" }} data-testid="invitation">
          <Alert type="success" showIcon message={t("devices.issued", { name: issued.name, until: dateTime(issued.expires_at) })} />
          <Typography.Text>{t("devices.token")}</Typography.Text>
          <Typography.Text code copyable data-testid="invitation-token">
            {issued.token}
          </Typography.Text>
          <Typography.Text>{t("devices.command")}</Typography.Text>
          <Typography.Text code copyable>{`leadguard enroll --hub ${issued.hub_url} --token ${issued.token}`}</Typography.Text>
          <EnrolQr link={issued.enrol_link} />
          <Typography.Text type="secondary">{t("devices.once")}</Typography.Text>
        </Space>
      ) : (
        <Form form={form} layout="vertical" initialValues={{ role: "rep", ttl_hours: 72 }}>
          {error !== undefined && <ErrorAlert error={error} />}
          <Form.Item name="rep" label={t("devices.rep")} rules={[{ required: true, whitespace: true, message: t("devices.repRequired") }]}>
            <Select
              showSearch
              data-testid="invite-rep"
              options={reps.filter((r) => r.active).map((r) => ({ value: r.id, label: `${r.name}（${r.id}）` }))}
              placeholder={t("devices.repPlaceholder")}
            />
          </Form.Item>
          <Form.Item name="role" label={t("devices.role")}>
            <Select options={(["rep", "distributor", "receptionist"] as const).map((r) => ({ value: r, label: t(`session.role.${r}` as MessageKey) }))} />
          </Form.Item>
          <Form.Item name="ttl_hours" label={t("devices.ttl")}>
            <InputNumber min={1} max={720} suffix={t("devices.hours")} />
          </Form.Item>
          <Form.Item name="name" label={t("devices.name")} extra={t("devices.nameHint")}>
            <Input maxLength={64} />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

export function DevicesCard() {
  const { t, dateTime } = useI18n();
  const { message } = App.useApp();
  const devices = useCommand("device_list", null);
  const reps = useCommand("rep_list", null);
  const [inviting, setInviting] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const revoke = async (d: DeviceRecord) => {
    setError(undefined);
    try {
      await call("device_revoke", { id: d.id });
      message.success(t("devices.revoked", { name: d.name }));
      devices.reload();
    } catch (e) {
      setError(e);
    }
  };
  const list = devices.data?.devices ?? [];
  return (
    <Card
      title={t("devices.title")}
      data-testid="devices"
      extra={
        <Button type="primary" onClick={() => setInviting(true)} disabled={devices.error !== undefined} data-testid="invite-device">
          {t("devices.invite")}
        </Button>
      }
    >
      <p className="lg-muted">{t("devices.hint")}</p>
      {devices.error !== undefined && <ErrorAlert error={devices.error} />}
      {error !== undefined && <ErrorAlert error={error} />}
      {list.length > 0 && (
        <table className="lg-table" data-testid="devices-table">
          <thead>
            <tr>
              <th>{t("devices.member")}</th>
              <th>{t("devices.role")}</th>
              <th>{t("devices.state")}</th>
              <th>{t("devices.lastSync")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id} data-device={d.id}>
                <td>
                  {d.name} <span className="lg-muted">{d.rep}</span>
                  {d.this_device && <Tag style={{ marginLeft: 8 }}>{t("devices.thisDevice")}</Tag>}
                </td>
                <td>{t(`session.role.${d.role}` as MessageKey)}</td>
                <td>
                  <Tag color={STATE_COLOR[d.state]}>{t(`devices.state.${d.state}` as MessageKey)}</Tag>
                </td>
                <td>{d.last_sync_at ? dateTime(d.last_sync_at) : t("devices.never")}</td>
                <td>
                  {d.state !== "revoked" && !d.this_device && (
                    <Popconfirm title={t("devices.revokeConfirm", { name: d.name })} onConfirm={() => revoke(d)} okText={t("devices.revoke")}>
                      <Button size="small" danger>
                        {t("devices.revoke")}
                      </Button>
                    </Popconfirm>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InviteDialog open={inviting} reps={reps.data?.reps ?? []} onClose={() => setInviting(false)} onInvited={devices.reload} />
    </Card>
  );
}
