/** Two managers decided differently: both standing decisions, spelled out. */
import { Alert, Typography } from "antd";
import { WarningOutlined } from "@ant-design/icons";
import type { CollisionDetail } from "../../api/generated/CollisionDetail";
import { useI18n } from "../../i18n";
import { outcomeText } from "../parts";
import type { RepName } from "../useReps";
import { freeText } from "../../format";

export function ConflictAlert({ detail, name, company }: { detail: CollisionDetail; name: RepName; company: (id: string) => string }) {
  const { t } = useI18n();
  const standing = detail.resolution.decisions.filter((x) => !x.superseded);
  return (
    <Alert
      type="error"
      showIcon
      icon={<WarningOutlined />}
      data-testid="case-conflict"
      style={{ marginBottom: 16 }}
      message={t("case.conflict.title")}
      description={
        <>
          <div>{t("case.conflict.body")}</div>
          <ul style={{ margin: "8px 0 0", paddingLeft: 20 }}>
            {standing.map((x) => (
              <li key={x.decision}>
                <Typography.Text strong>{name(x.by)}</Typography.Text>：{outcomeText(t, x.outcome, name, company)} — {freeText(x.reason, t)}
              </li>
            ))}
          </ul>
        </>
      }
    />
  );
}
