/**
 * Demo registries only (`leadguard demo`, `make run`): switch who is signed in — the
 * manager 张伟 or a rep — to see both sides of the same customers and cases. Every
 * screen reloads from the core afterwards. A real registry's session says `demo: false`
 * and this renders nothing (the core refuses the switch there too).
 */
import { App, Select } from "antd";
import { useQueryClient } from "@tanstack/react-query";
import { call } from "../api/transport";
import { useCommand } from "../api/useCommand";
import { errorText } from "../components/errors";
import { useI18n } from "../i18n";
import { useSession } from "./session";

export function DemoUserSwitch() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { session } = useSession();
  const client = useQueryClient();
  const reps = useCommand("rep_list", null, { enabled: !!session?.demo });
  if (!session?.demo) return null;
  const switchTo = async (rep: string) => {
    try {
      const next = await call("demo_switch_user", { rep });
      // Everything shown belongs to the previous user: read it all again.
      await client.invalidateQueries();
      message.success(t("demo.switched", { name: next.rep.name }));
    } catch (e) {
      message.error(errorText(t, e));
    }
  };
  return (
    <Select<string>
      size="small"
      style={{ width: 150 }}
      value={session.rep.id}
      aria-label={t("demo.switch")}
      title={t("demo.switch")}
      data-testid="demo-user"
      onChange={(v) => void switchTo(v)}
      options={(reps.data?.reps ?? [session.rep]).map((r) => ({
        value: r.id,
        label: r.role === "manager" ? `${r.name}（${t("demo.manager")}）` : r.role === "receptionist" ? `${r.name}（${t("session.role.receptionist")}）` : r.name,
      }))}
    />
  );
}
