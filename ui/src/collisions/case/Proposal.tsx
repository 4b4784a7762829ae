/** The system's proposal, explained in the current language, criterion by criterion. */
import { Card, Descriptions, Space, Tag, Typography } from "antd";
import type { CollisionDetail } from "../../api/generated/CollisionDetail";
import { useI18n, type MessageKey } from "../../i18n";
import { outcomeText } from "../parts";
import type { RepName } from "../useReps";

export function Proposal({ detail, name }: { detail: CollisionDetail; name: RepName }) {
  const { t, locale } = useI18n();
  const p = detail.proposal;
  const zh = locale === "zh-CN";
  return (
    <Card size="small" title={t("case.proposal")} data-testid="case-proposal" style={{ marginBottom: 16 }}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Space wrap>
          <Typography.Text strong data-testid="proposal-outcome">
            {outcomeText(t, p.outcome, name)}
          </Typography.Text>
          {p.decided_by && <Tag>{t("case.proposal.decidedBy", { criterion: t(`criterion.${p.decided_by}` as MessageKey) })}</Tag>}
        </Space>
        <Typography.Paragraph style={{ marginBottom: 0 }} data-testid="proposal-explanation">
          {zh ? p.explanation_zh : p.explanation_en}
        </Typography.Paragraph>
        {p.steps.length > 0 && (
          <Descriptions size="small" column={1} bordered title={<Typography.Text type="secondary">{t("case.proposal.steps")}</Typography.Text>}>
            {p.steps.map((s) => (
              <Descriptions.Item
                key={s.criterion}
                label={
                  <Space size={4}>
                    {t(`criterion.${s.criterion}` as MessageKey)}
                    {s.decided && <Tag color="blue">✓</Tag>}
                  </Space>
                }
              >
                {(zh ? s.note_zh : s.note_en) && <div>{zh ? s.note_zh : s.note_en}</div>}
                {s.findings.map((f) => (
                  <div key={f.rep}>
                    {name(f.rep)}: {zh ? f.detail_zh : f.detail_en}{" "}
                    <Typography.Text type={f.kept ? "success" : "secondary"}>({t(f.kept ? "case.proposal.kept" : "case.proposal.dropped")})</Typography.Text>
                  </div>
                ))}
              </Descriptions.Item>
            ))}
          </Descriptions>
        )}
      </Space>
    </Card>
  );
}
