/**
 * The duplicate warning shown while a lead is typed (docs/RULES.md rule 2): names who
 * protects the customer and until when — "该客户正在由【李娜-华南】跟进，保护期至 …" —
 * for every likely match, grouped by owner, each openable, with the reasons the match
 * was made ("同一公司，联系人不同") and the fields that lowered its score. Possible
 * matches (the same name in another city or industry) follow softly as
 * "可能是同一客户", never as a warning.
 */
import { Alert, Button, Space, Tag, Typography } from "antd";
import { useI18n, type MessageKey } from "../i18n";
import { catalog } from "../i18n/translate";
import type { RelatedLead } from "../api/generated/RelatedLead";
import { RelationText } from "./Relations";
import type { LeadLike } from "./types";

type DupReason = { kind: string; zh?: string; en?: string };

export interface DuplicateMatch {
  lead: LeadLike;
  /** 0..1 */
  score: number;
  /** At or above the threshold (a warning); absent = likely. */
  likely?: boolean;
  /** Why: a stable kind, with the engine's own Chinese and English wording when given. */
  reasons: DupReason[];
  /** Fields that lowered the score. */
  lowered_by?: DupReason[];
  /** Leads that are one customer with the match (family, same purchasing unit). */
  related?: RelatedLead[];
}

/** The owner as the warning names them: with their branch when it is not ours (华南·李娜). */
export function ownerLabel(lead: LeadLike): string {
  const name = lead.owner_name ?? "";
  return lead.owner_branch ? `${lead.owner_branch}·${name}` : name;
}

export function headline(t: ReturnType<typeof useI18n>["t"], dateTime: (iso: string) => string, lead: LeadLike, me?: string): string {
  switch (lead.state) {
    case "protected":
    case "deal":
      // My own customer: said to me, not about me in the third person.
      if (me && lead.owner === me)
        return lead.protected_until ? t("dup.ownedByMe", { date: dateTime(lead.protected_until) }) : t("dup.ownedByMeNoEnd");
      return lead.protected_until && lead.owner_name
        ? t("dup.owned", { owner: ownerLabel(lead), date: dateTime(lead.protected_until) })
        : t("dup.ownedNoEnd", { owner: lead.owner_name ? ownerLabel(lead) : t("common.none") });
    case "pool":
      return t("dup.pool");
    case "merged":
      return t("lead.status.merged");
    default:
      return t("dup.incomplete");
  }
}

/** Matches grouped by who holds them (owner, or the pool / unclaimed), best group first. */
export function groupByOwner(matches: DuplicateMatch[]): DuplicateMatch[][] {
  const groups = new Map<string, DuplicateMatch[]>();
  for (const m of matches) {
    const key = m.lead.state === "pool" ? "\u0000pool" : `${m.lead.state}\u0000${m.lead.owner_branch ?? ""}\u0000${m.lead.owner_name ?? ""}`;
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()];
}

function useReasonLabel() {
  const { t, locale } = useI18n();
  return (r: DupReason) => {
    const engine = locale === "zh-CN" ? r.zh : r.en;
    if (engine) return engine;
    const key = `dup.reason.${r.kind}`;
    return key in catalog("zh-CN") ? t(key as MessageKey) : r.kind;
  };
}

function MatchLine({ m, onOpen, soft }: { m: DuplicateMatch; onOpen?: (id: string) => void; soft?: boolean }) {
  const { t, percent } = useI18n();
  const label = useReasonLabel();
  const lowered = m.lowered_by ?? [];
  return (
    <span data-testid="duplicate-match">
      {onOpen ? (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onOpen(m.lead.id)} data-testid="duplicate-open">
          {m.lead.fields.company}
        </Button>
      ) : (
        <Typography.Text>{m.lead.fields.company}</Typography.Text>
      )}{" "}
      <Tag color={soft ? "default" : "volcano"}>{t("dup.score", { score: percent(m.score, 0) })}</Tag>
      {m.reasons.map((r) => (
        <Tag key={r.kind}>{label(r)}</Tag>
      ))}
      {lowered.length > 0 && (
        <Typography.Text type="secondary" data-testid="duplicate-lowered">
          {t("dup.loweredBy")}
          {lowered.map((r) => (
            <Tag key={r.kind} bordered={false}>
              {label(r)}
            </Tag>
          ))}
        </Typography.Text>
      )}
      {(m.related ?? []).map((r) => (
        <div key={`${r.kind}-${r.lead?.id ?? ""}`} data-testid="duplicate-related">
          <RelationText r={r} />
        </div>
      ))}
    </span>
  );
}

export function DuplicateWarning({
  matches,
  possible = [],
  onOpen,
  me,
}: {
  matches: DuplicateMatch[];
  possible?: DuplicateMatch[];
  onOpen?: (id: string) => void;
  /** The session's rep id: their own customer is spoken of in the second person. */
  me?: string;
}) {
  const { t, dateTime } = useI18n();
  if (matches.length === 0 && possible.length === 0) return null;
  return (
    <Space direction="vertical" size={8} style={{ width: "100%" }}>
      {matches.length > 0 && (
        <div data-testid="duplicate-warning">
          <Space direction="vertical" size={8} style={{ width: "100%" }}>
            {groupByOwner(matches).map((group) => (
              <Alert
                key={group[0].lead.id}
                type={group[0].lead.state === "pool" ? "info" : "warning"}
                showIcon
                data-testid="duplicate-group"
                message={<Typography.Text strong>{headline(t, dateTime, group[0].lead, me)}</Typography.Text>}
                description={
                  <Space direction="vertical" size={4}>
                    {group.map((m) => (
                      <MatchLine key={m.lead.id} m={m} onOpen={onOpen} />
                    ))}
                  </Space>
                }
              />
            ))}
          </Space>
        </div>
      )}
      {possible.length > 0 && (
        <div data-testid="duplicate-possible">
          <Typography.Text type="secondary">{t("dup.possible")}</Typography.Text>
          <Space direction="vertical" size={2} style={{ display: "flex" }}>
            {possible.map((m) => (
              <Typography.Text key={m.lead.id} type="secondary">
                <MatchLine m={m} onOpen={onOpen} soft />
                {m.lead.owner_name ? ` · ${ownerLabel(m.lead)}` : null}
              </Typography.Text>
            ))}
          </Space>
        </div>
      )}
    </Space>
  );
}
