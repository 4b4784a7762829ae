import { Space, Typography } from "antd";
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
  if (!until) return <Typography.Text type="secondary">{t("common.none")}</Typography.Text>;
  const left = msUntil(until, now);
  const urgent = left < EXPIRING_MS;
  return (
    <Space direction="vertical" size={0}>
      <Typography.Text>{t("lead.protectedUntil", { date: dateTime(until) })}</Typography.Text>
      <Typography.Text type={left <= 0 ? "secondary" : urgent ? "danger" : "success"} data-testid="countdown">
        <ClockCircleOutlined />{" "}
        {left <= 0 ? t("lead.expired") : t("lead.remaining", { duration: duration(left) })}
      </Typography.Text>
    </Space>
  );
}
