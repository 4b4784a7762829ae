import { Card } from "antd";
import { PageHeader } from "../components/PageHeader";
import { Unavailable } from "../components/Unavailable";
import { useI18n, type MessageKey } from "../i18n";

/** A screen whose commands the core does not offer yet: its title, purpose and an honest empty state. */
export function PendingScreen({ title, hint, reason }: { title: MessageKey; hint: MessageKey; reason: "sync" | "core" }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t(title)} hint={t(hint)} />
      <Card>
        <Unavailable feature={t(title)} reason={reason} />
      </Card>
    </>
  );
}
