/** A claim's evidence window [from, to] in hub time. */
import { Typography } from "antd";
import type { Window } from "../../api/generated/Window";
import { useI18n } from "../../i18n";

export function WindowText({ w }: { w: Window }) {
  const { t, dateTime } = useI18n();
  return (
    <Typography.Text data-testid="claim-window">
      {t("case.window", {
        from: w.from ? dateTime(w.from) : t("case.window.since"),
        to: w.to ? dateTime(w.to) : t("case.window.open"),
      })}
    </Typography.Text>
  );
}
