/**
 * 前台接待 (docs/RULES.md rule 16): the receptionist records a walk-in visit — who came
 * (company, contact, phone), when they arrived and left, who invited them, first visit
 * or not. The core matches the visitor to a known customer (the visit becomes evidence
 * for its owner) or registers them for the day's duty rep; the answer says which.
 */
import { Alert, Button, Card, Checkbox, Form, Input, Select, Space } from "antd";
import { useState } from "react";
import type { VisitRecorded } from "../api/generated/VisitRecorded";
import { useCommand, useWrite } from "../api/useCommand";
import { errorText } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";

/** `datetime-local` text for a date (the device's local time). */
export function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

type Values = {
  company?: string;
  contact?: string;
  phone?: string;
  time_in: string;
  time_out?: string;
  inviter?: string;
  first_visit?: boolean;
  note?: string;
};

export function FrontDeskScreen() {
  const { t, locale } = useI18n();
  const [form] = Form.useForm<Values>();
  const reps = useCommand("rep_list", null);
  const record = useWrite("visit_record");
  const [done, setDone] = useState<VisitRecorded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: Values) => {
    setError(null);
    setDone(null);
    try {
      const r = await record.mutateAsync({
        company: v.company || undefined,
        contact: v.contact || undefined,
        phone: v.phone || undefined,
        time_in: new Date(v.time_in).toISOString(),
        time_out: v.time_out ? new Date(v.time_out).toISOString() : undefined,
        inviter: v.inviter || undefined,
        first_visit: v.first_visit ?? false,
        note: v.note || undefined,
      });
      setDone(r);
      form.resetFields();
      form.setFieldValue("time_in", localInput(new Date()));
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  const inviters = (reps.data?.reps ?? []).filter((r) => r.active && (r.role === "rep" || r.role === "manager"));
  return (
    <>
      <PageHeader title={t("frontDesk.title")} hint={t("frontDesk.hint")} />
      <Card>
        <Form<Values>
          form={form}
          layout="vertical"
          style={{ maxWidth: 560 }}
          initialValues={{ time_in: localInput(new Date()), first_visit: false }}
          onFinish={submit}
          data-testid="front-desk-form"
        >
          <Form.Item name="company" label={t("newLead.company")}>
            <Input data-testid="visit-company" />
          </Form.Item>
          <Space.Compact block>
            <Form.Item name="contact" label={t("newLead.contact")} style={{ flex: 1 }}>
              <Input data-testid="visit-contact" />
            </Form.Item>
            <Form.Item name="phone" label={t("newLead.phone")} style={{ flex: 1 }}>
              <Input data-testid="visit-phone" />
            </Form.Item>
          </Space.Compact>
          <Space.Compact block>
            <Form.Item name="time_in" label={t("frontDesk.timeIn")} rules={[{ required: true, message: t("frontDesk.timeInRequired") }]} style={{ flex: 1 }}>
              <Input type="datetime-local" data-testid="visit-time-in" />
            </Form.Item>
            <Form.Item name="time_out" label={t("frontDesk.timeOut")} style={{ flex: 1 }}>
              <Input type="datetime-local" data-testid="visit-time-out" />
            </Form.Item>
          </Space.Compact>
          <Form.Item name="inviter" label={t("frontDesk.inviter")}>
            <Select
              allowClear
              data-testid="visit-inviter"
              placeholder={t("frontDesk.noInviter")}
              options={inviters.map((r) => ({ value: r.id, label: r.name }))}
            />
          </Form.Item>
          <Form.Item name="first_visit" valuePropName="checked">
            <Checkbox data-testid="visit-first">{t("frontDesk.firstVisit")}</Checkbox>
          </Form.Item>
          <Form.Item name="note" label={t("frontDesk.note")}>
            <Input.TextArea rows={2} data-testid="visit-note" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={record.isPending} data-testid="visit-submit">
            {t("frontDesk.submit")}
          </Button>
        </Form>
        {error && <Alert style={{ marginTop: 16 }} type="error" showIcon message={error} data-testid="visit-error" />}
        {done && (
          <Alert
            style={{ marginTop: 16 }}
            type={done.matched ? "success" : "info"}
            showIcon
            data-testid="visit-result"
            message={done.matched ? t("frontDesk.matched", { owner: done.owner_name ?? t("frontDesk.nobody") }) : t("frontDesk.toDuty", { owner: done.owner_name ?? "" })}
            description={
              <>
                {locale === "zh-CN" ? done.explanation_zh : done.explanation_en}
                {done.note_left_out && <div>{t("frontDesk.noteLeftOut")}</div>}
              </>
            }
          />
        )}
      </Card>
    </>
  );
}
