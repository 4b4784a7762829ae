/**
 * The duplicate warning shown while a lead is typed (DESIGN.md rule 2): names who
 * protects the customer and until when — "该客户正在由【李娜-华南】跟进，保护期至 …" —
 * with the reasons the match was made, so the rep can judge it before registering.
 */
import { Alert, Space, Tag, Typography } from "antd";
import { useI18n, type MessageKey } from "../i18n";
import { catalog } from "../i18n/translate";
import type { LeadLike } from "./types";

export interface DuplicateMatch {
  lead: LeadLike;
  /** 0..1 */
  score: number;
  /** Why: a stable kind, with the engine's own Chinese and English wording when given. */
  reasons: { kind: string; zh?: string; en?: string }[];
}

export function headline(t: ReturnType<typeof useI18n>["t"], dateTime: (iso: string) => string, lead: LeadLike): string {
  switch (lead.state) {
    case "protected":
    case "deal":
      return lead.protected_until && lead.owner_name
        ? t("dup.owned", { owner: lead.owner_name, date: dateTime(lead.protected_until) })
        : t("dup.ownedNoEnd", { owner: lead.owner_name ?? t("common.none") });
    case "pool":
      return t("dup.pool");
    case "merged":
      return t("lead.status.merged");
    default:
      return t("dup.incomplete");
  }
}

export function DuplicateWarning({ matches }: { matches: DuplicateMatch[] }) {
  const { t, locale, dateTime, percent } = useI18n();
  if (matches.length === 0) return null;
  const [top, ...rest] = matches;
  const reasonLabel = (r: DuplicateMatch["reasons"][number]) => {
    const engine = locale === "zh-CN" ? r.zh : r.en;
    if (engine) return engine;
    const key = `dup.reason.${r.kind}`;
    return key in catalog("zh-CN") ? t(key as MessageKey) : r.kind;
  };
  return (
    <Alert
      type={top.lead.state === "pool" ? "info" : "warning"}
      showIcon
      data-testid="duplicate-warning"
      message={<Typography.Text strong>{headline(t, dateTime, top.lead)}</Typography.Text>}
      description={
        <Space direction="vertical" size={4}>
          <span>
            <Typography.Text>{top.lead.fields.company}</Typography.Text>{" "}
            <Tag color="volcano">{t("dup.score", { score: percent(top.score, 0) })}</Tag>
            {top.reasons.map((r) => (
              <Tag key={r.kind}>{reasonLabel(r)}</Tag>
            ))}
          </span>
          {rest.length > 0 && <Typography.Text type="secondary">{t("dup.more", { n: rest.length })}</Typography.Text>}
        </Space>
      }
    />
  );
}
