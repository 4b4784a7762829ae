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
/** Criteria a manager may add to the order (not in the default): 跟进投入. */
export const OPTIONAL_CRITERIA: Criterion[] = ["effort"];

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
  const addable = OPTIONAL_CRITERIA.filter((c) => !order.includes(c));
  return (
    <>
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
            ...(OPTIONAL_CRITERIA.includes(c)
              ? [
                  <Button key="remove" size="small" data-testid={`remove-criterion-${c}`} disabled={disabled} onClick={() => onChange?.(order.filter((x) => x !== c))}>
                    {t("policy.removeCriterion")}
                  </Button>,
                ]
              : []),
          ]}
        >
          <Space>
            <Typography.Text strong>{i + 1}.</Typography.Text>
            <span>{t(`criterion.${c}` as MessageKey)}</span>
          </Space>
        </List.Item>
      )}
    />
    {addable.map((c) => (
      <Button key={c} size="small" style={{ marginTop: 8 }} data-testid={`add-criterion-${c}`} disabled={disabled} onClick={() => onChange?.([...order, c])}>
        {t("policy.addCriterion", { name: t(`criterion.${c}` as MessageKey) })}
      </Button>
    ))}
    </>
  );
}
