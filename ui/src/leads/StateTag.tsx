import { Tag } from "antd";
import { useI18n, type MessageKey } from "../i18n";
import type { LeadStateName } from "./types";

const LOOK: Record<LeadStateName, { color: string; label: MessageKey }> = {
  protected: { color: "blue", label: "lead.status.protected" },
  pool: { color: "orange", label: "lead.status.pool" },
  deal: { color: "green", label: "lead.status.bound" },
  incomplete: { color: "default", label: "lead.status.unclaimed" },
  merged: { color: "purple", label: "lead.status.merged" },
};

/** The claim state of a lead as a coloured tag. */
export function StateTag({ state }: { state: LeadStateName }) {
  const { t } = useI18n();
  const look = LOOK[state] ?? LOOK.incomplete;
  return (
    <Tag color={look.color} data-testid={`state-${state}`}>
      {t(look.label)}
    </Tag>
  );
}
