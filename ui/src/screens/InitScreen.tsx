/** First run on a device: create its registry for the person who uses it (`init`). */
import { useWrite } from "../api/useCommand";
import { App, Button, Card, Form, Input, Select } from "antd";
import { useState } from "react";
import type { Role } from "../api/generated/Role";
import { errorText } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";

interface InitForm {
  rep_id: string;
  name: string;
  branch: string;
  region?: string;
  role: Role;
}

export function InitScreen({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<InitForm>();
  const [saving, setSaving] = useState(false);
  const init = useWrite("init");
  const submit = async (v: InitForm) => {
    setSaving(true);
    try {
      await init.mutateAsync({ rep_id: v.rep_id.trim(), name: v.name.trim(), branch: v.branch.trim(), role: v.role, region: v.region?.trim() || undefined });
      onDone();
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };
  const required = (label: string) => [{ required: true, whitespace: true, message: t("newLead.required", { field: label }) }];
  return (
    <>
      <PageHeader title={t("init.title")} hint={t("init.hint")} />
      <Card style={{ maxWidth: 560 }}>
        <Form form={form} layout="vertical" onFinish={submit} initialValues={{ role: "rep" }}>
          <Form.Item name="rep_id" label={t("init.repId")} rules={required(t("init.repId"))}>
            <Input data-testid="init-rep-id" />
          </Form.Item>
          <Form.Item name="name" label={t("init.name")} rules={required(t("init.name"))}>
            <Input data-testid="init-name" />
          </Form.Item>
          <Form.Item name="branch" label={t("init.branch")} rules={required(t("init.branch"))}>
            <Input data-testid="init-branch" />
          </Form.Item>
          <Form.Item name="region" label={t("init.region")}>
            <Input />
          </Form.Item>
          <Form.Item name="role" label={t("init.role")}>
            <Select
              options={(["rep", "manager", "distributor", "receptionist", "director"] as Role[]).map((r) => ({ value: r, label: t(`session.role.${r}`) }))}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="init-submit">
            {t("init.submit")}
          </Button>
        </Form>
      </Card>
    </>
  );
}
