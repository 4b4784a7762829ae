import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { I18nProvider } from "../i18n";
import { QueryProvider } from "../api/QueryProvider";
import { fakeCore } from "../test/fakeCore";
import { NotificationBell } from "./NotificationBell";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const item = (id: string, kind: string, seen: boolean) => ({
  id,
  kind,
  case_id: "3f9c00aa11bb22cc",
  at: "2026-11-22T08:00:00Z",
  title_zh: "撞单提醒",
  title_en: "Collision",
  body_zh: "【腾达科技】被 李娜、王强 同时跟进，等待经理裁决",
  body_en: "Tengda: claimed by Li Na, Wang Qiang; awaiting a manager's decision",
  seen,
  delivered: false,
});

describe("notification bell", () => {
  it("counts unseen notifications, lists them in the user's language and marks them read", async () => {
    let items = [item("case:1", "case_opened", false), item("decision:2", "decision", true)];
    const { calls } = fakeCore({
      notifications_list: () => ({ items, unseen: items.filter((i) => !i.seen).length, total: items.length }),
      notifications_seen: (a) => {
        const { ids, all } = a as { ids: string[]; all?: boolean };
        items = items.map((i) => (all || ids.includes(i.id) ? { ...i, seen: true } : i));
        return { items, unseen: items.filter((i) => !i.seen).length, total: items.length };
      },
    });
    render(
      <QueryProvider>
        <I18nProvider locale="zh-CN">
          <NotificationBell />
        </I18nProvider>
      </QueryProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("notification-count").textContent).toContain("1"));
    fireEvent.click(screen.getByTestId("notification-bell"));
    expect((await screen.findAllByText(/同时跟进/, undefined, { timeout: 3000 })).length).toBe(2);
    fireEvent.click(screen.getByTestId("notifications-read-all"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "notifications_seen")).toBe(true));
    // "Mark all read" marks every unseen one in the core, also those not listed.
    expect(calls.find((c) => c.cmd === "notifications_seen")?.args).toEqual({ ids: [], all: true });
    await waitFor(() => expect(screen.queryByTestId("notifications-read-all")).toBeNull());
  });

  it("stays out of the way when the core has no registry yet", async () => {
    fakeCore({});
    const { container } = render(
      <QueryProvider>
        <I18nProvider locale="en-US">
          <NotificationBell />
        </I18nProvider>
      </QueryProvider>,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(container.textContent).toBe("");
  });
});
