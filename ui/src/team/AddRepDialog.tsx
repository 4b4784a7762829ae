/**
 * Adds a member to the branch (`rep_put`). The core's "add or update" would silently
 * replace a member with the same account, so an account already listed is refused here.
 */
import { useWrite } from "../api/useCommand";
import { Alert, App, Form, Input, Modal, Select } from "antd";
import { useState } from "react";
import type { Rep } from "../api/generated/Rep";
import type { Role } from "../api/generated/Role";
import { errorText } from "../components/errors";
import { useI18n } from "../i18n";

type Values = { id: string; name: string; role: Role; region?: string };
const ROLES: Role[] = ["rep", "manager", "distributor", "receptionist", "director"];

export function AddRepDialog({ open, reps, onClose, onAdded }: { open: boolean; reps: Rep[]; onClose: () => void; onAdded: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const putRep = useWrite("rep_put");
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    // Invalid input is already shown beside the fields.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    setError(null);
    try {
      const rep = await putRep.mutateAsync({ id: v.id.trim(), name: v.name.trim(), role: v.role, region: v.region?.trim() || undefined });
      message.success(t("reps.added", { name: rep.name }));
      form.resetFields();
      onAdded();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t("reps.addTitle")}
      okText={t("common.save")}
      okButtonProps={{ "data-testid": "rep-submit" } as React.ComponentProps<typeof Modal>["okButtonProps"]}
      cancelText={t("common.cancel")}
      confirmLoading={saving}
      onOk={submit}
      onCancel={onClose}
      destroyOnHidden
    >
      {error !== null && <Alert type="error" showIcon style={{ marginBottom: 16 }} data-testid="rep-error" message={errorText(t, error)} />}
      <Form form={form} layout="vertical" initialValues={{ role: "rep" }} preserve={false}>
        <Form.Item
          name="id"
          label={t("reps.col.id")}
          extra={t("reps.idHint")}
          rules={[
            { required: true, whitespace: true, message: t("reps.required", { field: t("reps.col.id") }) },
            {
              validator: (_r, v: string | undefined) =>
                reps.some((r) => r.id === v?.trim()) ? Promise.reject(new Error(t("reps.exists", { id: v?.trim() ?? "" }))) : Promise.resolve(),
            },
          ]}
        >
          <Input data-testid="rep-id" autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t("reps.col.name")} rules={[{ required: true, whitespace: true, message: t("reps.required", { field: t("reps.col.name") }) }]}>
          <Input data-testid="rep-name" autoComplete="off" />
        </Form.Item>
        <Form.Item name="role" label={t("reps.col.role")}>
          <Select<Role> data-testid="rep-role" options={ROLES.map((r) => ({ value: r, label: t(`session.role.${r}`) }))} />
        </Form.Item>
        <Form.Item name="region" label={t("reps.col.region")}>
          <Input data-testid="rep-region" autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
