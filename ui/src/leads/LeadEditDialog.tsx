/**
 * Edits a lead's fields (编辑客户资料) and completes an incomplete registration
 * (补全资料). The core decides who may edit and what completing does (it claims the
 * lead for whoever completes it); the dialog shows the core's list of missing fields and
 * any refusal beside the form rather than in a passing toast.
 */
import { Alert, App, Col, Form, Input, Modal, Row, Skeleton } from "antd";
import { useEffect, useState } from "react";
import { useCommand, useWrite } from "../api/useCommand";
import type { LeadView } from "../api/generated/LeadView";
import { errorText, formError } from "../components/errors";
import { useI18n } from "../i18n";
import { changedFields, FIELDS, missingText, type FormValues } from "./leadFields";

export function LeadEditDialog({ id, onClose, onSaved }: { id: string | null; onClose: () => void; onSaved: (lead: LeadView) => void }) {
  const { t, dateTime } = useI18n();
  const { message } = App.useApp();
  const detail = useCommand("lead_get", { id: id ?? "" }, { enabled: id !== null });
  const d = id !== null && detail.data?.lead.id === id ? detail.data : undefined;
  const [form] = Form.useForm<FormValues>();
  const [saving, setSaving] = useState(false);
  const update = useWrite("lead_update");
  const [error, setError] = useState<unknown>(null);
  // A refusal about one field, shown beside it (over the "still missing" hint).
  const [fieldError, setFieldError] = useState<{ field: keyof FormValues; text: string } | null>(null);
  const completing = d?.lead.state === "incomplete";
  const missing = new Set(d?.missing.flat() ?? []);

  useEffect(() => {
    setError(null);
    setFieldError(null);
  }, [id]);

  const submit = async () => {
    if (!d) return;
    const fields = changedFields(d.lead.fields, form.getFieldsValue());
    if (Object.keys(fields).length === 0) return onClose();
    setSaving(true);
    setError(null);
    setFieldError(null);
    try {
      const after = await update.mutateAsync({ id: d.lead.id, fields });
      if (completing && after.state === "protected" && after.protected_until) {
        message.success(t("edit.completed", { until: dateTime(after.protected_until) }));
      } else if (after.state === "incomplete") {
        // Stay open: the core's refreshed answer says what is still missing.
        message.warning(t("edit.stillIncomplete"));
        detail.reload();
        return;
      } else {
        message.success(t("edit.saved"));
      }
      // The next opening shows what the core now holds.
      detail.reload();
      onSaved(after);
    } catch (e) {
      const failure = formError(t, e, FIELDS.map((f) => f.name));
      if (failure.field) setFieldError({ field: failure.field, text: failure.text });
      else setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={id !== null}
      title={`${t(completing ? "edit.completeTitle" : "edit.title")} · ${d?.lead.fields.company ?? ""}`}
      okText={t(completing ? "edit.completeSubmit" : "common.save")}
      okButtonProps={{ "data-testid": "edit-submit", disabled: !d } as React.ComponentProps<typeof Modal>["okButtonProps"]}
      cancelText={t("common.cancel")}
      confirmLoading={saving}
      onOk={submit}
      onCancel={onClose}
      width={640}
      destroyOnHidden
    >
      {detail.error ? (
        <Alert type="error" showIcon message={errorText(t, detail.error)} />
      ) : !d ? (
        <Skeleton active />
      ) : (
        <Form
          form={form}
          layout="vertical"
          data-testid="edit-form"
          initialValues={Object.fromEntries(FIELDS.map((f) => [f.name, d.lead.fields[f.name] ?? ""]))}
        >
          {d.missing.length > 0 && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              data-testid="edit-missing"
              message={t("edit.missing", { missing: missingText(t, d.missing) })}
              description={t("edit.completeHint")}
            />
          )}
          {error !== null && <Alert type="error" showIcon style={{ marginBottom: 16 }} data-testid="edit-error" message={errorText(t, error)} />}
          <Row gutter={16}>
            {FIELDS.map((f) => (
              <Col key={f.name} span={f.wide ? 24 : 12}>
                <Form.Item
                  name={f.name}
                  label={t(f.label)}
                  validateStatus={fieldError?.field === f.name ? "error" : missing.has(f.name) ? "warning" : undefined}
                  help={fieldError?.field === f.name ? fieldError.text : missing.has(f.name) ? t("edit.fieldMissing") : undefined}
                >
                  {f.area ? <Input.TextArea rows={2} data-testid={`edit-${f.name}`} /> : <Input data-testid={`edit-${f.name}`} autoComplete="off" />}
                </Form.Item>
              </Col>
            ))}
          </Row>
        </Form>
      )}
    </Modal>
  );
}
