/** Records a follow-up (跟进记录) on a customer; qualifying kinds extend protection. */
import { App, Form, Input, Modal, Select } from "antd";
import { useState } from "react";
import { call } from "../api/transport";
import type { FollowupKind } from "../api/generated/FollowupKind";
import { errorText } from "../components/errors";
import { useI18n } from "../i18n";

export const FOLLOWUP_KINDS: FollowupKind[] = ["call", "visit", "sample", "quote", "store_visit", "deal"];

export function FollowupDialog({
  lead,
  onClose,
  onSaved,
}: {
  lead: { id: string; company?: string } | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ kind: FollowupKind; note: string }>();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    if (!lead) return;
    const v = await form.validateFields();
    setSaving(true);
    try {
      await call("followup_add", { id: lead.id, kind: v.kind, note: v.note ?? "" });
      message.success(t("followup.saved"));
      form.resetFields();
      onSaved();
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={lead !== null}
      title={`${t("followup.title")} · ${lead?.company ?? ""}`}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={saving}
      onOk={submit}
      onCancel={onClose}
      destroyOnClose
    >
      <Form form={form} layout="vertical" initialValues={{ kind: "visit", note: "" }}>
        <Form.Item name="kind" label={t("followup.kind")} rules={[{ required: true }]}>
          <Select
            data-testid="followup-kind"
            options={FOLLOWUP_KINDS.map((k) => ({ value: k, label: t(`followup.kind.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="note" label={t("followup.note")}>
          <Input.TextArea rows={3} data-testid="followup-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
