/**
 * New lead: the registration form, with the duplicate warning appearing as the rep types
 * (debounced `dedup_check`), and "register anyway" once a warning was shown: a
 * confirmation naming the owner asks a reason, then the new lead opens with its case.
 */
import { App, Button, Card, Col, Form, Input, Row, Space } from "antd";
import { useState } from "react";
import { formError } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { useWrite } from "../api/useCommand";
import { useSession } from "../app/session";
import { useI18n } from "../i18n";
import { clean, FIELDS, missingText, type FormValues } from "../leads/leadFields";
import { DuplicateWarning } from "../leads/DuplicateWarning";
import { LeadDrawer } from "../leads/LeadDrawer";
import { OnlineCheckNotice } from "../leads/OnlineCheckNotice";
import { RegisterAnywayDialog, type Acknowledgement } from "../leads/RegisterAnywayDialog";
import { useDuplicateCheck } from "../leads/useDuplicateCheck";

export function NewLeadScreen({ onRegistered }: { onRegistered?: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const session = useSession().session;
  const me = session?.rep.id;
  // A distributor's check also asks the hub (rate-limited): wait for a settled input.
  const distributor = session?.rep.role === "distributor";
  const [form] = Form.useForm<FormValues>();
  const values = Form.useWatch([], form) as Partial<FormValues> | undefined;
  const fields = clean(values ?? {});
  const dup = useDuplicateCheck(fields, distributor ? 800 : 200);
  const [saving, setSaving] = useState(false);
  const addLead = useWrite("lead_add");
  const warned = dup.matches.length > 0;
  const protectedOnline = dup.online?.status === "protected";
  const [open, setOpen] = useState<string | null>(null);

  // 仍然登记 first asks for confirmation and a reason (RegisterAnywayDialog).
  const [confirming, setConfirming] = useState(false);
  // After registering despite the warning, the new lead opens: its page says a case is open.
  const [registered, setRegistered] = useState<string | null>(null);

  const register = async (ack: Acknowledgement | null) => {
    setSaving(true);
    try {
      // "Register anyway": the warning the rep saw is recorded with the registration.
      const acknowledged = ack ? dup.matches.map((m) => m.lead.id) : null;
      const added = await addLead.mutateAsync({
        fields,
        acknowledged_duplicates: acknowledged,
        acknowledgement_reason: ack?.reason ?? null,
        collaborate: ack?.collaborate ?? null,
      });
      setConfirming(false);
      if (added.missing.length > 0) {
        message.warning(t("newLead.incomplete", { missing: missingText(t, added.missing) }));
      } else if (ack) {
        message.success(t(ack.collaborate ? "ack.savedCollaborate" : "ack.savedCase"));
      } else {
        message.success(t("newLead.saved", { company: fields.company ?? "" }));
      }
      form.resetFields();
      if (ack) setRegistered(added.lead.id);
      else onRegistered?.();
    } catch (e) {
      setConfirming(false);
      // A refusal about one field (a phone without digits ...) stands beside that field.
      const failure = formError(t, e, FIELDS.map((f) => f.name));
      if (failure.field) form.setFields([{ name: failure.field, errors: [failure.text] }]);
      else message.error(failure.text);
    } finally {
      setSaving(false);
    }
  };

  const submit = async () => {
    await form.validateFields();
    if (warned) setConfirming(true);
    else await register(null);
  };

  return (
    <>
      <PageHeader title={t("newLead.title")} hint={t("newLead.hint")} />
      <Row gutter={24}>
        <Col xs={24} xl={15}>
          <Card>
            <Form
              form={form}
              layout="vertical"
              requiredMark
              // The core's refusal stands beside a field until that field is changed.
              onValuesChange={(changed: Partial<FormValues>) =>
                form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof FormValues, errors: [] })))
              }
            >
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
                  danger={warned || protectedOnline}
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
            {dup.error || dup.checking ? null : <OnlineCheckNotice online={dup.online} />}
            {dup.error ? null : warned || dup.possible.length > 0 ? (
              <DuplicateWarning matches={dup.matches} possible={dup.possible} onOpen={setOpen} me={me} />
            ) : (
              <span data-testid="dup-status" className="lg-muted">
                {t(dup.checking ? "dup.checking" : "dup.clear")}
              </span>
            )}
          </Card>
        </Col>
      </Row>
      <RegisterAnywayDialog
        open={confirming}
        matches={dup.matches}
        me={me}
        busy={saving}
        onView={setOpen}
        onConfirm={(ack) => void register(ack)}
        onCancel={() => setConfirming(false)}
      />
      <LeadDrawer id={open} onClose={() => setOpen(null)} />
      <LeadDrawer
        id={registered}
        onClose={() => {
          setRegistered(null);
          onRegistered?.();
        }}
      />
    </>
  );
}
