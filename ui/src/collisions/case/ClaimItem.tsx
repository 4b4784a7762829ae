/** One claim: its kind, whether it took effect, its evidence window and timing. */
import { Space, Tag, Typography } from "antd";
import type { CaseClaim } from "../../api/generated/CaseClaim";
import { useI18n, type MessageKey } from "../../i18n";
import type { RepName } from "../useReps";
import { ClaimTiming } from "./ClaimTiming";
import { WindowText } from "./WindowText";

export function ClaimItem({ c, company, name }: { c: CaseClaim; company: string; name: RepName }) {
  const { t, dateTime } = useI18n();
  return (
    <div data-testid="case-claim">
      <Space size={6} wrap>
        <Typography.Text strong>{t(`case.claim.${c.kind}` as MessageKey)}</Typography.Text>
        <Typography.Text type="secondary">{company}</Typography.Text>
        {c.took_effect ? <Tag color="success">{t("case.tookEffect")}</Tag> : <Tag color="default">{t("case.noEffect")}</Tag>}
      </Space>
      <div>
        <WindowText w={c.window} />
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="claim-device-time">
        {t("case.deviceTime", { time: dateTime(c.device_time) })}
      </Typography.Text>
      <ClaimTiming c={c} name={name} />
    </div>
  );
}
