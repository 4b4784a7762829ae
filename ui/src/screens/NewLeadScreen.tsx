/**
 * New lead: the registration form, with the duplicate warning appearing as the rep types
 * (debounced `dedup_check`), and "register anyway" once a warning was shown.
 */
import { App, Button, Card, Col, Form, Input, Row, Space } from "antd";
import { useState } from "react";
import { call } from "../api/transport";
import type { LeadFields } from "../api/generated/LeadFields";
import { errorText } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { useI18n, type MessageKey } from "../i18n";
import { DuplicateWarning } from "../leads/DuplicateWarning";
import { LeadDrawer } from "../leads/LeadDrawer";
import { useDuplicateCheck } from "../leads/useDuplicateCheck";

type FormValues = Required<Pick<LeadFields, "company" | "contact" | "phone" | "email" | "region" | "industry" | "need" | "notes">>;

const FIELDS: { name: keyof FormValues; label: MessageKey; wide?: boolean; area?: boolean }[] = [
  { name: "company", label: "newLead.company", wide: true },
  { name: "contact", label: "newLead.contact" },
  { name: "phone", label: "newLead.phone" },
  { name: "email", label: "newLead.email" },
  { name: "region", label: "newLead.region" },
  { name: "industry", label: "newLead.industry" },
  { name: "need", label: "newLead.need", wide: true, area: true },
  { name: "notes", label: "newLead.notes", wide: true, area: true },
];

function clean(v: Partial<FormValues>): LeadFields {
  const out: LeadFields = {};
  for (const f of FIELDS) {
    const s = v[f.name]?.trim();
    if (s) out[f.name] = s;
  }
  return out;
}

export function NewLeadScreen({ onRegistered }: { onRegistered?: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const values = Form.useWatch([], form) as Partial<FormValues> | undefined;
  const fields = clean(values ?? {});
  const dup = useDuplicateCheck(fields);
  const [saving, setSaving] = useState(false);
  const warned = dup.matches.length > 0;
  const [open, setOpen] = useState<string | null>(null);

  const submit = async () => {
    await form.validateFields();
    setSaving(true);
    try {
      // "Register anyway": the warning the rep saw is recorded with the registration.
      const acknowledged = warned ? dup.matches.map((m) => m.lead.id) : null;
      const added = await call("lead_add", { fields, acknowledged_duplicates: acknowledged });
      if (added.missing.length > 0) {
        const missing = added.missing
          .map((group) => group.map((f) => t(`newLead.${f}` as MessageKey)).join(` ${t("newLead.or")} `))
          .join("、");
        message.warning(t("newLead.incomplete", { missing }));
      } else {
        message.success(t("newLead.saved", { company: fields.company ?? "" }));
      }
      form.resetFields();
      onRegistered?.();
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <PageHeader title={t("newLead.title")} hint={t("newLead.hint")} />
      <Row gutter={24}>
        <Col xs={24} xl={15}>
          <Card>
            <Form form={form} layout="vertical" requiredMark>
              <Row gutter={16}>
                {FIELDS.map((f) => (
                  <Col key={f.name} span={f.wide ? 24 : 12}>
                    <Form.Item
                      name={f.name}
                      label={t(f.label)}
                      rules={
                        f.name === "company" || f.name === "need"
                          ? [{ required: true, whitespace: true, message: t("newLead.required", { field: t(f.label) }) }]
                          : undefined
                      }
                    >
                      {f.area ? (
                        <Input.TextArea rows={2} data-testid={`lead-${f.name}`} />
                      ) : (
                        <Input data-testid={`lead-${f.name}`} autoComplete="off" />
                      )}
                    </Form.Item>
                  </Col>
                ))}
              </Row>
              <Space>
                <Button
                  type="primary"
                  danger={warned}
                  loading={saving}
                  onClick={submit}
                  data-testid="lead-submit"
                >
                  {t(warned ? "newLead.registerAnyway" : "newLead.submit")}
                </Button>
              </Space>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card title={t("dup.title")} size="small">
            {dup.error ? null : warned || dup.possible.length > 0 ? (
              <DuplicateWarning matches={dup.matches} possible={dup.possible} onOpen={setOpen} />
            ) : (
              <span data-testid="dup-status" className="lg-muted">
                {t(dup.checking ? "dup.checking" : "dup.clear")}
              </span>
            )}
          </Card>
        </Col>
      </Row>
      <LeadDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
