/**
 * Records a follow-up (跟进记录) on a customer; qualifying kinds extend protection.
 * The dialog says which kinds do, and the confirmation says what the follow-up did to
 * the protection period, from the core's answer.
 */
import { App, Form, Input, Modal, Select } from "antd";
import { useState } from "react";
import type { FollowupKind } from "../api/generated/FollowupKind";
import type { LeadView } from "../api/generated/LeadView";
import { useWrite } from "../api/useCommand";
import { formError } from "../components/errors";
import { useI18n, type I18n } from "../i18n";

export const FOLLOWUP_KINDS: FollowupKind[] = ["call", "visit", "sample", "quote", "store_visit", "deal", "deposit_refund"];

/** What to tell the rep after a follow-up: the new protection end, or why there is none. */
export function followupOutcome(i18n: Pick<I18n, "t" | "dateTime">, kind: FollowupKind, after: LeadView, before: string | null): string {
  const { t, dateTime } = i18n;
  if (after.state === "deal") return t("followup.dealBound");
  if (!after.protected_until) return t("followup.saved");
  const until = dateTime(after.protected_until);
  if (kind === "deposit_refund") return t("followup.refunded", { until });
  const extended = before === null || new Date(after.protected_until).getTime() > new Date(before).getTime();
  if (kind === "call" || !extended) return t("followup.notExtended", { until });
  return t("followup.extended", { until });
}

export function FollowupDialog({
  lead,
  onClose,
  onSaved,
}: {
  lead: { id: string; company?: string; protected_until?: string | null } | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { message } = App.useApp();
  const [form] = Form.useForm<{ kind: FollowupKind; note: string }>();
  const [saving, setSaving] = useState(false);
  const addFollowup = useWrite("followup_add");
  const submit = async () => {
    if (!lead) return;
    const v = await form.validateFields();
    setSaving(true);
    try {
      const after = await addFollowup.mutateAsync({ id: lead.id, kind: v.kind, note: v.note ?? "" });
      message.success(followupOutcome(i18n, v.kind, after, lead.protected_until ?? null));
      form.resetFields();
      onSaved();
    } catch (e) {
      const failure = formError(t, e, ["kind", "note"] as const);
      if (failure.field) form.setFields([{ name: failure.field, errors: [failure.text] }]);
      else message.error(failure.text);
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
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ kind: "visit", note: "" }}>
        <Form.Item name="kind" label={t("followup.kind")} rules={[{ required: true }]} extra={t("followup.kindHint")}>
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
