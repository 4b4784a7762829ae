/**
 * A claim's evidence window [from, to] in hub time, in words: both ends, only the
 * hub's receipt (the device had never synced before), only the last sync (not at the
 * hub yet), or neither.
 */
import { Typography } from "antd";
import type { Window } from "../../api/generated/Window";
import { useI18n } from "../../i18n";

export function WindowText({ w }: { w: Window }) {
  const { t, dateTime } = useI18n();
  const text =
    w.from && w.to
      ? t("case.window", { from: dateTime(w.from), to: dateTime(w.to) })
      : w.to
        ? t("case.window.toOnly", { to: dateTime(w.to) })
        : w.from
          ? t("case.window.fromOnly", { from: dateTime(w.from) })
          : t("case.window.none");
  return <Typography.Text data-testid="claim-window">{text}</Typography.Text>;
}
