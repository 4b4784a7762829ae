/** The case at a glance: kind, state, reps, turnaround timer, when it surfaced. */
import { Descriptions } from "antd";
import type { CollisionDetail } from "../../api/generated/CollisionDetail";
import { useI18n } from "../../i18n";
import { CaseKindTag, CaseStateTag, joinNames, SlaTimer } from "../parts";
import type { RepName } from "../useReps";

export function CaseSummary({ detail: d, name }: { detail: CollisionDetail; name: RepName }) {
  const { t, dateTime, locale } = useI18n();
  const r = d.resolution;
  return (
    <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
      <Descriptions.Item label={t("collisions.col.kind")}>
        <CaseKindTag kind={d.case.kind} />
      </Descriptions.Item>
      <Descriptions.Item label={t("collisions.col.state")}>
        <CaseStateTag state={r.state} />
      </Descriptions.Item>
      <Descriptions.Item label={t("collisions.col.reps")}>
        <span data-testid="case-detail-reps">{joinNames(locale, d.case.reps.map(name))}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t("collisions.col.sla")}>
        <SlaTimer dueAt={r.due_at} overdue={r.overdue} settled={r.state === "decided" && !r.appeals.some((a) => !a.answered)} />
      </Descriptions.Item>
      <Descriptions.Item label={t("case.surfaced")} span={2}>
        {d.case.surfaced_at ? dateTime(d.case.surfaced_at) : t("collisions.notSurfaced")}
      </Descriptions.Item>
    </Descriptions>
  );
}
