/**
 * Customer grade (客户等级 A/B/C, docs/RULES.md rule 11): shown in lists and on the
 * customer's page; its owner or a manager sets it there (`lead_grade`).
 */
import { App, Segmented, Tag } from "antd";
import { useWrite } from "../api/useCommand";
import { errorText } from "../components/errors";
import { useI18n } from "../i18n";

const COLORS: Record<string, string> = { A: "red", B: "orange", C: "default" };

export function GradeTag({ grade }: { grade?: string | null }) {
  if (!grade) return null;
  return (
    <Tag color={COLORS[grade] ?? "default"} data-testid="grade-tag">
      {grade}
    </Tag>
  );
}

export function GradePicker({ id, grade, onChanged }: { id: string; grade?: string | null; onChanged: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const set = useWrite("lead_grade");
  const choose = async (g: string) => {
    try {
      await set.mutateAsync({ id, grade: g === "-" ? null : g });
      message.success(t("grade.saved"));
      onChanged();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  return (
    <Segmented<string>
      size="small"
      data-testid="grade-picker"
      value={grade ?? "-"}
      disabled={set.isPending}
      onChange={(g) => void choose(g)}
      options={[
        { value: "A", label: "A" },
        { value: "B", label: "B" },
        { value: "C", label: "C" },
        { value: "-", label: t("grade.none") },
      ]}
    />
  );
}
