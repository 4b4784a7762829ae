import { ClockCircleOutlined } from "@ant-design/icons";
import { useI18n } from "../i18n";
import { msUntil } from "../format";
import { useNow } from "./useNow";

/** Less than this left is shown as urgent. */
export const EXPIRING_MS = 24 * 3_600_000;

/** Protection end with a live countdown: "保护至 11月25日 14:30 · 剩余 2 天 5 小时". */
export function Protection({ until }: { until: string | null }) {
  const { t, dateTime, duration } = useI18n();
  const now = useNow();
  if (!until) return <span className="lg-muted">{t("common.none")}</span>;
  const left = msUntil(until, now);
  const urgent = left < EXPIRING_MS;
  // Plain elements (app.css): one of these renders in every row of a search result.
  return (
    <span className="lg-protection">
      <span>{t("lead.protectedUntil", { date: dateTime(until) })}</span>
      <span className={left <= 0 ? "lg-muted" : urgent ? "lg-danger" : "lg-success"} data-testid="countdown">
        <ClockCircleOutlined />{" "}
        {left <= 0 ? t("lead.expired") : t("lead.remaining", { duration: duration(left) })}
      </span>
    </span>
  );
}
