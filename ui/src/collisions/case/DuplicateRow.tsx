/** One duplicate match between two of the case's leads: score and reasons. */
import { Space, Tag, Typography } from "antd";
import type { CollisionDetail } from "../../api/generated/CollisionDetail";
import { useI18n } from "../../i18n";

export function DuplicateRow({ m, company }: { m: CollisionDetail["case"]["duplicates"][number]; company: (id: string) => string }) {
  const { t, locale, percent } = useI18n();
  return (
    <div data-testid="case-duplicate" style={{ marginBottom: 6 }}>
      <Space wrap size={6}>
        <Typography.Text>
          {company(m.a)} ↔ {company(m.b)}
        </Typography.Text>
        <Tag color="purple">{t("case.score", { score: percent(m.score, 0) })}</Tag>
        {(locale === "zh-CN" ? m.reasons_zh : m.reasons_en).map((x) => (
          <Tag key={x}>{x}</Tag>
        ))}
      </Space>
    </div>
  );
}
