/**
 * 仍然登记: the confirmation before registering a customer the duplicate check named.
 * It says whom the registration collides with (owner and protection end; others'
 * contacts are never shown), asks the rep's reason — recorded with the acknowledgement,
 * read by the manager deciding the case — and offers to open the known customer or to
 * ask to collaborate with its owner instead of contesting it.
 */
import { Alert, Button, Form, Input, List, Modal, Space, Typography } from "antd";
import { useState } from "react";
import type { DuplicateMatch } from "../api/generated/DuplicateMatch";
import { useI18n } from "../i18n";

export interface Acknowledgement {
  reason: string;
  collaborate: boolean;
}

export function RegisterAnywayDialog({
  open,
  matches,
  busy,
  onView,
  onConfirm,
  onCancel,
  me,
}: {
  /** The session's rep id: their own customer is "you". */
  me?: string;
  open: boolean;
  matches: DuplicateMatch[];
  busy?: boolean;
  onView: (leadId: string) => void;
  onConfirm: (ack: Acknowledgement) => void;
  onCancel: () => void;
}) {
  const { t, dateTime } = useI18n();
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const confirm = (collaborate: boolean) => {
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    onConfirm({ reason: reason.trim(), collaborate });
  };
  const first = matches[0]?.lead.id;
  return (
    <Modal
      open={open}
      title={t("ack.title")}
      onCancel={onCancel}
      destroyOnClose
      width={560}
      footer={
        <Space wrap data-testid="ack-actions">
          <Button onClick={onCancel}>{t("ack.cancel")}</Button>
          {first && (
            <Button onClick={() => onView(first)} data-testid="ack-view">
              {t("ack.view")}
            </Button>
          )}
          <Button onClick={() => confirm(true)} loading={busy} data-testid="ack-collaborate">
            {t("ack.collaborate")}
          </Button>
          <Button type="primary" danger onClick={() => confirm(false)} loading={busy} data-testid="ack-confirm">
            {t("dup.confirm")}
          </Button>
        </Space>
      }
    >
      <div data-testid="ack-dialog">
        <Typography.Paragraph>{t("ack.collidesWith")}</Typography.Paragraph>
        <List
          size="small"
          bordered
          dataSource={matches}
          style={{ marginBottom: 12 }}
          renderItem={(m) => (
            <List.Item data-testid="ack-match">
              <Space direction="vertical" size={0}>
                <Typography.Text strong>{m.lead.fields.company}</Typography.Text>
                <Typography.Text>
                  {m.lead.state === "protected" || m.lead.state === "deal"
                    ? m.lead.owner === me
                      ? t("ack.ownerMe")
                      : t("ack.owner", { owner: m.lead.owner_name ?? t("common.none") })
                    : t("ack.unowned")}
                  {m.lead.state === "protected" && m.lead.protected_until
                    ? ` · ${t("ack.until", { date: dateTime(m.lead.protected_until) })}`
                    : ""}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t("ack.noContacts")}
        </Typography.Paragraph>
        <Alert type="warning" showIcon message={t("ack.consequence")} style={{ marginBottom: 12 }} />
        <Form layout="vertical" component="div">
          <Form.Item
            label={t("ack.reason")}
            required
            validateStatus={missing ? "error" : undefined}
            help={missing ? t("ack.reasonRequired") : t("ack.collaborateHint")}
          >
            <Input.TextArea
              rows={2}
              maxLength={4000}
              value={reason}
              data-testid="ack-reason"
              placeholder={t("ack.reasonPlaceholder")}
              onChange={(e) => {
                setMissing(false);
                setReason(e.target.value);
              }}
            />
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}
