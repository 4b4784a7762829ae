/**
 * Relations between customers (docs/RULES.md rule 10): 直系亲属 and 同一购买单位 make two
 * leads one customer (a registration of the relative warns, a pool claim of it is
 * refused while the other is followed), 转介绍 keeps its referrer's credit. Listed on a
 * customer's page and under a duplicate match; linked from the page with `RelateDialog`.
 */
import { App, Button, Form, Input, List, Modal, Select, Tag, Typography } from "antd";
import { useState } from "react";
import type { RelatedLead } from "../api/generated/RelatedLead";
import type { RelationKind } from "../api/generated/RelationKind";
import { useCommand, useWrite } from "../api/useCommand";
import { formError } from "../components/errors";
import { useI18n } from "../i18n";
import { useDebounced } from "../app/useDebounced";

export const RELATION_KINDS: RelationKind[] = ["family", "same_unit", "referral"];

/** One relation in a sentence: 直系亲属【张伟家】正在由【李娜】跟进. */
export function RelationText({ r }: { r: RelatedLead }) {
  const { t } = useI18n();
  const kind = t(`relation.kind.${r.kind}`);
  const company = r.lead?.company ?? "";
  const text = r.lead
    ? r.lead.owner_name
      ? t("relation.owned", { kind, company, owner: r.lead.owner_name })
      : t("relation.free", { kind, company })
    : t("relation.referralOnly", { kind });
  const referrer = r.referrer_name ?? r.referrer;
  return (
    <span data-testid="relation-text">
      {text}
      {r.kind === "referral" && referrer && ` · ${t("relation.referrer", { name: referrer })}`}
      {r.note && <Typography.Text type="secondary">{` · ${r.note}`}</Typography.Text>}
    </span>
  );
}

/** The relations of a customer's page, with removal where this lead holds them. */
export function RelationList({ id, relations, canEdit, onChanged }: { id: string; relations: RelatedLead[]; canEdit: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const relate = useWrite("lead_relate");
  if (relations.length === 0) return <Typography.Text type="secondary">{t("relation.none")}</Typography.Text>;
  return (
    <List
      size="small"
      dataSource={relations}
      renderItem={(r) => (
        <List.Item
          data-testid="lead-relation"
          actions={
            canEdit && r.held_here
              ? [
                  <Button
                    key="remove"
                    size="small"
                    type="link"
                    onClick={async () => {
                      try {
                        await relate.mutateAsync({ id, kind: r.kind, other: r.lead?.id, remove: true });
                        onChanged();
                      } catch (e) {
                        message.error(formError(t, e, [] as const).text);
                      }
                    }}
                  >
                    {t("relation.remove")}
                  </Button>,
                ]
              : []
          }
        >
          <Tag color={r.kind === "referral" ? "blue" : "purple"}>{t(`relation.kind.${r.kind}`)}</Tag>
          <RelationText r={r} />
        </List.Item>
      )}
    />
  );
}

interface RelateForm {
  kind: RelationKind;
  other?: string;
  referrer?: string;
  note?: string;
}

/** Links `lead` to another customer as family, the same purchasing unit or a referral. */
export function RelateDialog({ lead, onClose, onSaved }: { lead: { id: string; company?: string } | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<RelateForm>();
  const [query, setQuery] = useState("");
  const search = useDebounced(query.trim(), 200);
  const [kind, setKind] = useState<RelationKind>("family");
  const found = useCommand("lead_list", { filter: "all", search, limit: 10 }, { enabled: lead !== null && search.length > 0 });
  const reps = useCommand("rep_list", null, { enabled: lead !== null });
  const relate = useWrite("lead_relate");
  const [saving, setSaving] = useState(false);
  const options = (found.data?.items ?? [])
    .filter((l) => l.id !== lead?.id)
    .map((l) => ({ value: l.id, label: l.owner_name ? `${l.fields.company ?? l.id}（${l.owner_name}）` : (l.fields.company ?? l.id) }));
  const submit = async () => {
    if (!lead) return;
    const v = await form.validateFields();
    setSaving(true);
    try {
      await relate.mutateAsync({ id: lead.id, kind: v.kind, other: v.other, referrer: v.referrer, note: v.note });
      message.success(t("relation.saved"));
      form.resetFields();
      onSaved();
    } catch (e) {
      const failure = formError(t, e, ["note"] as const);
      if (failure.field) form.setFields([{ name: failure.field, errors: [failure.text] }]);
      else message.error(failure.text);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={lead !== null}
      title={`${t("relation.title")} · ${lead?.company ?? ""}`}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={saving}
      onOk={submit}
      onCancel={onClose}
      okButtonProps={{ "data-testid": "relate-save" } as React.ComponentProps<typeof Modal>["okButtonProps"]}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ kind: "family" }} onValuesChange={(c: Partial<RelateForm>) => c.kind && setKind(c.kind)}>
        <Form.Item name="kind" label={t("relation.kind")} extra={t("relation.kindHint")}>
          <Select data-testid="relate-kind" options={RELATION_KINDS.map((k) => ({ value: k, label: t(`relation.kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="other" label={t("relation.other")} rules={kind === "referral" ? [] : [{ required: true, message: t("reason.relation_needs_lead") }]}>
          <Select
            data-testid="relate-other"
            showSearch
            allowClear
            filterOption={false}
            onSearch={setQuery}
            placeholder={t("relation.otherPlaceholder")}
            notFoundContent={search ? t("search.empty") : null}
            options={options}
          />
        </Form.Item>
        {kind === "referral" && (
          <Form.Item name="referrer" label={t("relation.referrerLabel")} extra={t("relation.referrerHint")}>
            <Select
              data-testid="relate-referrer"
              allowClear
              options={(reps.data?.reps ?? []).filter((r) => r.active && r.role !== "distributor").map((r) => ({ value: r.id, label: r.name }))}
            />
          </Form.Item>
        )}
        <Form.Item name="note" label={t("relation.note")}>
          <Input data-testid="relate-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
