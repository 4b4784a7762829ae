import { Typography } from "antd";
import type { CaseClaim } from "../../api/generated/CaseClaim";
import { useI18n } from "../../i18n";
import type { RepName } from "../useReps";

/** A device clock more than this far from the claim's hub-clamped time is called out. */
const SKEW_NOTE_SECS = 5 * 60;

/** When the claim counted (hub-clamped), how far the device clock was off, and whose protection it met. */
export function ClaimTiming({ c, name }: { c: CaseClaim; name: RepName }) {
  const { t, dateTime } = useI18n();
  if (!c.effective_time) return null;
  const skew = Math.round((Date.parse(c.device_time) - Date.parse(c.effective_time)) / 1000);
  const abs = Math.abs(skew);
  const m = Math.round(abs / 60);
  const span = { days: Math.floor(m / 1440), hours: Math.floor((m % 1440) / 60), minutes: m % 60 };
  return (
    <div style={{ fontSize: 12 }}>
      <div data-testid="claim-effective-time">{t("case.effectiveTime", { time: dateTime(c.effective_time) })}</div>
      {abs > SKEW_NOTE_SECS && (
        <Typography.Text type="warning" data-testid="claim-skew">
          {t(skew > 0 ? "case.skew.ahead" : "case.skew.behind", span)}
        </Typography.Text>
      )}
      {c.held_by && (
        <div data-testid="claim-held">
          <Typography.Text type="danger">
            {c.held_until ? t("case.heldUntil", { rep: name(c.held_by), time: dateTime(c.held_until) }) : t("case.heldByDeal", { rep: name(c.held_by) })}
          </Typography.Text>
        </div>
      )}
    </div>
  );
}
