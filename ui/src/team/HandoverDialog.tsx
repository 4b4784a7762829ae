/**
 * 离职交接: moves every customer a departing member owns to another member, and the
 * core marks the departing member inactive. Before confirming, the dialog says how many
 * customers move, counted by the core with the same rule the handover applies
 * (protected now, or bound by a deal).
 */
import { Alert, App, Form, Modal, Select } from "antd";
import { useEffect, useState } from "react";
import { useCommand, useWrite } from "../api/useCommand";
import type { Rep } from "../api/generated/Rep";
import { errorText } from "../components/errors";
import { useI18n } from "../i18n";

export function HandoverDialog({ from, reps, onClose, onDone }: { from: Rep | null; reps: Rep[]; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [to, setTo] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const handover = useWrite("handover");
  const [error, setError] = useState<unknown>(null);
  const owned = useCommand("lead_list", { filter: "team", owner: from?.id ?? "", limit: 1 }, { enabled: from !== null });
  useEffect(() => {
    setTo(null);
    setError(null);
  }, [from]);
  const fromKey = JSON.stringify({ filter: "team", owner: from?.id ?? "", limit: 1 });
  const count = owned.data && owned.dataKey === fromKey ? Number(owned.data.total) : undefined;
  const target = reps.find((r) => r.id === to);
  const candidates = reps.filter((r) => r.active && r.id !== from?.id && (r.role === "rep" || r.role === "manager"));

  const submit = async () => {
    if (!from || !target) return;
    setSaving(true);
    setError(null);
    try {
      const done = await handover.mutateAsync({ from: from.id, to: target.id });
      message.success(t("handover.done", { n: done.moved.length, to: target.name, from: from.name }));
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={from !== null}
      title={t("handover.title", { name: from?.name ?? "" })}
      okText={t("handover.confirm")}
      okButtonProps={{ danger: true, disabled: !target || count === undefined, "data-testid": "handover-confirm" } as React.ComponentProps<typeof Modal>["okButtonProps"]}
      cancelText={t("common.cancel")}
      confirmLoading={saving}
      onOk={submit}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t("handover.to")}>
          <Select<string>
            value={to ?? undefined}
            onChange={setTo}
            placeholder={t("handover.pickTo")}
            data-testid="handover-to"
            options={candidates.map((r) => ({ value: r.id, label: `${r.name}（${r.id}）` }))}
          />
        </Form.Item>
      </Form>
      {owned.error ? (
        <Alert type="error" showIcon message={errorText(t, owned.error)} />
      ) : count === undefined || !from ? null : count === 0 ? (
        <Alert type="info" showIcon data-testid="handover-count" message={t("handover.none", { from: from.name })} />
      ) : (
        <Alert
          type="warning"
          showIcon
          data-testid="handover-count"
          message={target ? t("handover.count", { from: from.name, n: count, to: target.name }) : t("handover.countNoTarget", { from: from.name, n: count })}
        />
      )}
      {error !== null && <Alert type="error" showIcon style={{ marginTop: 12 }} data-testid="handover-error" message={errorText(t, error)} />}
    </Modal>
  );
}
