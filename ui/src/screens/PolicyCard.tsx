/** The branch's protection rules (保护期): editable by managers, read-only for others. */
import { useWrite } from "../api/useCommand";
import { App, Button, Card, Checkbox, Form, InputNumber, Typography } from "antd";
import { useState } from "react";
import type { Policy } from "../api/generated/Policy";
import { useSession } from "../app/session";
import { errorText } from "../components/errors";
import { useI18n } from "../i18n";
import { FOLLOWUP_KINDS } from "../leads/FollowupDialog";
import { ArbitrationOrder } from "./ArbitrationOrder";

export function PolicyCard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { session, reload } = useSession();
  const [form] = Form.useForm<Policy>();
  const [saving, setSaving] = useState(false);
  const setPolicy = useWrite("policy_set");
  if (!session) return null;
  const manager = session.rep.role === "manager";
  const save = async (v: Policy) => {
    setSaving(true);
    try {
      await setPolicy.mutateAsync({ ...session.policy, ...v });
      message.success(t("policy.saved"));
      reload();
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setSaving(false);
    }
  };
  const hours = { min: 1, max: 24 * 366, style: { width: 160 } };
  return (
    <Card title={t("settings.policy")}>
      <Form form={form} layout="vertical" initialValues={session.policy} onFinish={save} disabled={!manager}>
        <Form.Item name="protection_hours" label={t("policy.protectionHours")} rules={[{ required: true }]}>
          <InputNumber {...hours} data-testid="policy-protection" />
        </Form.Item>
        <Form.Item name="extension_hours" label={t("policy.extensionHours")} rules={[{ required: true }]}>
          <InputNumber {...hours} min={0} />
        </Form.Item>
        <Form.Item name="reclaim_cooldown_hours" label={t("policy.cooldownHours")} rules={[{ required: true }]}>
          <InputNumber {...hours} min={0} />
        </Form.Item>
        <Form.Item name="qualifying_followups" label={t("policy.qualifying")}>
          <Checkbox.Group options={FOLLOWUP_KINDS.map((k) => ({ value: k, label: t(`followup.kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="appeal_window_hours" label={t("policy.appealWindowHours")} rules={[{ required: true }]}>
          <InputNumber {...hours} min={0} data-testid="policy-appeal-window" />
        </Form.Item>
        <Form.Item name="appeal_sla_hours" label={t("policy.slaHours")} rules={[{ required: true }]}>
          <InputNumber {...hours} data-testid="policy-sla" />
        </Form.Item>
        <Form.Item name="dup_threshold_percent" label={t("policy.dupThreshold")} rules={[{ required: true }]}>
          <InputNumber min={51} max={99} suffix="%" style={{ width: 160 }} data-testid="policy-dup-threshold" />
        </Form.Item>
        <Form.Item name="report_validity_days" label={t("policy.reportValidityDays")} rules={[{ required: true }]}>
          <InputNumber min={1} max={366} style={{ width: 160 }} data-testid="policy-report-validity" />
        </Form.Item>
        <Form.Item name="max_held" label={t("policy.maxHeld")} extra={t("policy.zeroNoLimit")}>
          <InputNumber min={0} max={100000} style={{ width: 160 }} data-testid="policy-max-held" />
        </Form.Item>
        <Form.Item name="max_claims_per_day" label={t("policy.maxClaimsPerDay")} extra={t("policy.zeroNoLimit")}>
          <InputNumber min={0} max={10000} style={{ width: 160 }} data-testid="policy-max-claims" />
        </Form.Item>
        <Form.Item name="suspend_after_faults" label={t("policy.suspendAfterFaults")} extra={t("policy.zeroNever")}>
          <InputNumber min={0} max={1000} style={{ width: 160 }} data-testid="policy-suspend-after" />
        </Form.Item>
        <Form.Item name="arbitration" label={t("policy.arbitration")}>
          <ArbitrationOrder disabled={!manager} />
        </Form.Item>
        {manager ? (
          <Button type="primary" htmlType="submit" loading={saving}>
            {t("common.save")}
          </Button>
        ) : (
          <Typography.Text type="secondary">{t("policy.managerOnly")}</Typography.Text>
        )}
      </Form>
    </Card>
  );
}
