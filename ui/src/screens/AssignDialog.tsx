/**
 * 按规则分配 (docs/RULES.md rule 11): a manager assigns pool customers by the branch's
 * assignment rules. The dialog first shows what would happen (a dry run of
 * `assign_pool`), each customer with the rep and the reason; confirming writes it.
 */
import { App, Button, List, Modal, Typography } from "antd";
import { useEffect, useState } from "react";
import type { AssignResult } from "../api/generated/AssignResult";
import { call } from "../api/transport";
import { useWrite } from "../api/useCommand";
import { errorText } from "../components/errors";
import { useI18n } from "../i18n";

export function AssignDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: () => void }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [preview, setPreview] = useState<AssignResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const assign = useWrite("assign_pool");
  useEffect(() => {
    if (!open) return;
    setPreview(null);
    setError(null);
    call("assign_pool", { limit: 50, dry_run: true })
      .then(setPreview)
      .catch((e) => setError(errorText(t, e)));
  }, [open, t]);
  const confirm = async () => {
    if (!preview) return;
    try {
      const ids = preview.items.filter((i) => i.to).map((i) => i.lead_id);
      const done = await assign.mutateAsync({ leads: ids });
      message.success(t("assign.done", { n: done.assigned }));
      onDone();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  return (
    <Modal
      open={open}
      title={t("assign.title")}
      onCancel={onClose}
      width={720}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t("common.cancel")}
        </Button>,
        <Button
          key="ok"
          type="primary"
          data-testid="assign-confirm"
          disabled={!preview || preview.assigned === 0}
          loading={assign.isPending}
          onClick={confirm}
        >
          {t("assign.confirm", { n: preview?.assigned ?? 0 })}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t("assign.hint")}</Typography.Paragraph>
      {error ? (
        <Typography.Text type="danger">{error}</Typography.Text>
      ) : (
        <List
          size="small"
          loading={!preview}
          dataSource={preview?.items ?? []}
          locale={{ emptyText: t("assign.empty") }}
          renderItem={(i) => (
            <List.Item data-testid="assign-item">
              <Typography.Text strong>{i.company}</Typography.Text>
              <Typography.Text type={i.to ? undefined : "warning"}>{locale === "zh-CN" ? i.explanation_zh : i.explanation_en}</Typography.Text>
            </List.Item>
          )}
        />
      )}
    </Modal>
  );
}
