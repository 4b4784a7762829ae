/**
 * The bell in the header (docs/RULES.md rule 6: the reps involved and their manager are
 * told): new collision cases, decisions, conflicts and appeals, newest first, in the
 * user's language. Opening an item marks it read and shows its case. Polls the local
 * core (no hub needed) once a minute (a query's refetchInterval) and when opened.
 */
import { BellOutlined } from "@ant-design/icons";
import { Badge, Button, Empty, List, Popover, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { NotificationList } from "../api/generated/NotificationList";
import type { Notification } from "../api/generated/Notification";
import { call } from "../api/transport";
import { commandKey, useCommand } from "../api/useCommand";
import { useI18n } from "../i18n";

const POLL_MS = 60_000;

export function NotificationBell() {
  const { t, locale, dateTime } = useI18n();
  const client = useQueryClient();
  // No registry yet, or an older core: no bell rather than an error in the header.
  const bell = useCommand("notifications_list", null, { refetchInterval: POLL_MS });
  const list: NotificationList | null = bell.error ? null : (bell.data ?? null);
  const [open, setOpen] = useState(false);
  const load = bell.reload;
  const seen = useMutation({
    mutationFn: (args: { ids: string[]; all: boolean }) => call("notifications_seen", args),
    onSuccess: (next) => client.setQueryData(commandKey("notifications_list", null), next),
  });
  if (!list) return null;
  const markSeen = async (ids: string[], all = false) => {
    if (ids.length === 0 && !all) return;
    try {
      await seen.mutateAsync({ ids, all });
    } catch {
      /* the list stays as it was */
    }
  };
  const show = (n: Notification) => {
    void markSeen([n.id]);
    setOpen(false);
    // A protection reminder is about a customer: the home screen lists it.
    window.location.hash = n.case_id ? `/collisions/${n.case_id}` : "/home";
  };
  const zh = locale === "zh-CN";
  const content = (
    <div style={{ width: 380, maxHeight: 420, overflow: "auto" }} data-testid="notifications">
      {list.items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("notify.none")} />
      ) : (
        <List
          size="small"
          dataSource={list.items}
          renderItem={(n) => (
            <List.Item
              key={n.id}
              onClick={() => show(n)}
              style={{ cursor: "pointer", opacity: n.seen ? 0.6 : 1 }}
              data-testid={`notification-${n.kind}`}
            >
              <List.Item.Meta
                title={
                  <span>
                    {!n.seen && <Badge status="processing" />} {zh ? n.title_zh : n.title_en}
                    {n.at && (
                      <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                        {dateTime(n.at)}
                      </Typography.Text>
                    )}
                  </span>
                }
                description={zh ? n.body_zh : n.body_en}
              />
            </List.Item>
          )}
        />
      )}
    </div>
  );
  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) void load();
      }}
      title={
        <span>
          {t("notify.title")}
          {list.unseen > 0 && (
            <Button
              type="link"
              size="small"
              onClick={() => void markSeen([], true)}
              data-testid="notifications-read-all"
            >
              {t("notify.readAll")}
            </Button>
          )}
        </span>
      }
      content={content}
      placement="bottomRight"
    >
      <Badge count={list.unseen} size="small" data-testid="notification-count">
        <Button type="text" icon={<BellOutlined />} aria-label={t("notify.title")} data-testid="notification-bell" />
      </Badge>
    </Popover>
  );
}
