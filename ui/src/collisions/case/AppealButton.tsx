/** The appeal (申诉) of a rep the case names: a note, within the appeal window. */
import { Alert, App as AntApp, Button, Input, Modal, Space, Typography } from "antd";
import { useState } from "react";
import type { CollisionDetail } from "../../api/generated/CollisionDetail";
import { useWrite } from "../../api/useCommand";
import { errorText } from "../../components/errors";
import { useI18n } from "../../i18n";

export function AppealButton({ detail, onDone }: { detail: CollisionDetail; onDone: (d: CollisionDetail) => void }) {
  const { t, dateTime } = useI18n();
  const { message } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [tried, setTried] = useState(false);
  const appeal = useWrite("collision_appeal");
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async () => {
    setTried(true);
    setFailure(null);
    if (note.trim() === "") return;
    try {
      const res = await appeal.mutateAsync({ id: detail.case.id, note: note.trim() });
      void message.success(t("appeal.saved"));
      setOpen(false);
      setNote("");
      setTried(false);
      onDone(res);
    } catch (e) {
      setFailure(errorText(t, e));
    }
  };
  return (
    <>
      <Space>
        <Button danger onClick={() => setOpen(true)} data-testid="appeal-open">
          {t("appeal.button")}
        </Button>
        {detail.resolution.appeal_until && (
          <Typography.Text type="secondary">{t("appeal.until", { date: dateTime(detail.resolution.appeal_until) })}</Typography.Text>
        )}
      </Space>
      <Modal
        open={open}
        title={t("appeal.button")}
        okText={t("appeal.submit")}
        cancelText={t("common.cancel")}
        onOk={submit}
        confirmLoading={appeal.isPending}
        onCancel={() => setOpen(false)}
        okButtonProps={{ "data-testid": "appeal-submit" } as never}
      >
        <Typography.Text>{t("appeal.note")}</Typography.Text>
        <Input.TextArea data-testid="appeal-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} status={tried && note.trim() === "" ? "error" : undefined} />
        {tried && note.trim() === "" && <Typography.Text type="danger">{t("appeal.err.note")}</Typography.Text>}
        {failure && <Alert type="error" showIcon message={failure} role="alert" style={{ marginTop: 8 }} />}
      </Modal>
    </>
  );
}
