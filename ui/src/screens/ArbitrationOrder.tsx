/**
 * The order of the arbitration criteria (docs/RULES.md rule 7): the first that separates
 * the reps decides the proposal. A form control: `value` is the order, `onChange` gets
 * the new one. Moving is by buttons, so it works by keyboard and in tests.
 */
import { ArrowDownOutlined, ArrowUpOutlined } from "@ant-design/icons";
import { Button, List, Space, Typography } from "antd";
import type { Criterion } from "../api/generated/Criterion";
import { useI18n, type MessageKey } from "../i18n";

export const ALL_CRITERIA: Criterion[] = ["past_deal", "recent_followup", "region_match", "completeness", "earlier_window"];

/** Moves the item at `index` by `delta` (−1 up, +1 down); out of range is a no-op. */
export function move(order: Criterion[], index: number, delta: number): Criterion[] {
  const to = index + delta;
  if (index < 0 || index >= order.length || to < 0 || to >= order.length) return order;
  const next = [...order];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}

export function ArbitrationOrder({
  value,
  onChange,
  disabled,
}: {
  value?: Criterion[];
  onChange?: (v: Criterion[]) => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const order = value && value.length > 0 ? value : ALL_CRITERIA;
  return (
    <List
      size="small"
      bordered
      data-testid="arbitration-order"
      dataSource={order}
      renderItem={(c, i) => (
        <List.Item
          data-testid={`criterion-${c}`}
          actions={[
            <Button
              key="up"
              size="small"
              icon={<ArrowUpOutlined />}
              aria-label={t("policy.moveUp")}
              disabled={disabled || i === 0}
              onClick={() => onChange?.(move(order, i, -1))}
            />,
            <Button
              key="down"
              size="small"
              icon={<ArrowDownOutlined />}
              aria-label={t("policy.moveDown")}
              disabled={disabled || i === order.length - 1}
              onClick={() => onChange?.(move(order, i, 1))}
            />,
          ]}
        >
          <Space>
            <Typography.Text strong>{i + 1}.</Typography.Text>
            <span>{t(`criterion.${c}` as MessageKey)}</span>
          </Space>
        </List.Item>
      )}
    />
  );
}
