/**
 * A distributor's typing warning from the hub (rule 15): its laptop holds no other
 * party's customers, so the core asks the hub, which says only whether a matching
 * customer is protected and until when — no owner, no contacts.
 */
import { Alert } from "antd";
import type { OnlineCheck } from "../api/generated/OnlineCheck";
import { useI18n } from "../i18n";

export function OnlineCheckNotice({ online }: { online: OnlineCheck | null }) {
  const { t, dateTime } = useI18n();
  if (!online) return null;
  switch (online.status) {
    case "protected":
      return (
        <Alert
          data-testid="online-check"
          type="error"
          showIcon
          message={online.until ? t("online.protected", { date: dateTime(online.until) }) : t("online.deal")}
        />
      );
    case "free":
      return <Alert data-testid="online-check" type="success" showIcon message={t("online.free")} />;
    case "rate_limited":
      return <Alert data-testid="online-check" type="warning" showIcon message={t("online.rateLimited")} />;
    case "offline":
      return <Alert data-testid="online-check" type="warning" showIcon message={t("online.offline")} />;
  }
}
