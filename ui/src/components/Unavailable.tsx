import { Empty, Typography } from "antd";
import { useI18n } from "../i18n";

/**
 * The honest empty state of a screen whose backing command does not exist yet: says
 * what is missing and when it will appear, and never shows made-up data.
 */
export function Unavailable({ feature, reason }: { feature: string; reason: "sync" | "core" }) {
  const { t } = useI18n();
  return (
    <Empty
      data-testid="unavailable"
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <>
          <Typography.Text strong>{t("unavailable.title")}</Typography.Text>
          <br />
          <Typography.Text type="secondary">
            {t(reason === "sync" ? "unavailable.sync" : "unavailable.core", { feature })}
          </Typography.Text>
        </>
      }
    />
  );
}
