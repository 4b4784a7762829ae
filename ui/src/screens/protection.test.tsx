import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { fakeCore, lead, SESSION } from "../test/fakeCore";
import { EMPTY_PAGE, renderScreen } from "../test/renderScreen";
import { followupOutcome } from "../leads/FollowupDialog";
import { claimBlockedReason, PoolScreen } from "./PoolScreen";
import { MyCustomersScreen } from "./MyCustomersScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const i18n = { t: (k: string, p?: Record<string, unknown>) => `${k}${p ? JSON.stringify(p) : ""}`, dateTime: (d: string | Date) => new Date(d).toISOString() };
const EMPTY = EMPTY_PAGE;

const wrap = renderScreen;

describe("protection feedback", () => {
  it("a qualifying follow-up reports the new protection end", () => {
    const after = lead({ company: "腾达", protected_until: "2026-03-08T09:00:00Z" });
    expect(followupOutcome(i18n, "visit", after, "2026-03-05T09:00:00Z")).toBe('followup.extended{"until":"2026-03-08T09:00:00.000Z"}');
  });

  it("a call says it does not extend protection", () => {
    const after = lead({ company: "腾达", protected_until: "2026-03-05T09:00:00Z" });
    expect(followupOutcome(i18n, "call", after, "2026-03-05T09:00:00Z")).toMatch(/^followup.notExtended/);
  });

  it("a deal says the customer is bound for good", () => {
    expect(followupOutcome(i18n, "deal", lead({ company: "腾达", state: "deal", protected_until: null }), null)).toBe("followup.dealBound");
  });

  it("a deposit refund (定金退订) says the deal no longer binds, and until when it is protected", () => {
    const after = lead({ company: "腾达", state: "protected", protected_until: "2026-03-08T09:00:00Z" });
    expect(followupOutcome(i18n, "deposit_refund", after, null)).toBe('followup.refunded{"until":"2026-03-08T09:00:00.000Z"}');
  });

  it("a greyed claim says when the cooldown ends", () => {
    const mine = lead({ company: "腾达", state: "pool", previous_owner: "lina", pool_since: "2026-03-05T09:00:00Z", claimable: false });
    expect(claimBlockedReason(i18n, mine, "lina", 24)).toBe('pool.cooldown{"until":"2026-03-06T09:00:00.000Z"}');
    expect(claimBlockedReason(i18n, { ...mine, previous_owner: "wang" }, "lina", 24)).toBe("pool.notClaimable");
    expect(claimBlockedReason(i18n, { ...mine, claimable: true }, "lina", 24)).toBeNull();
  });

  it("the pool screen puts the reason on the disabled claim button", async () => {
    const cooling = lead({ company: "腾达科技", state: "pool", owner: null, previous_owner: "lina", pool_since: new Date().toISOString(), claimable: false, masked: false });
    fakeCore({ session: () => SESSION, lead_list: () => ({ ...EMPTY, items: [cooling], total: 1 }) });
    wrap(<PoolScreen />);
    const button = await screen.findByTestId("claim");
    await waitFor(() => expect(button.closest("button")).toBeDisabled());
    expect(button.closest("button")?.getAttribute("aria-description")).toMatch(/才能再次认领/);
  });

  it("releasing to the pool warns about the cooldown first", async () => {
    const own = lead({ company: "腾达科技", owner: "lina", owner_name: "李娜-华南", masked: false, editable: true });
    fakeCore({ session: () => SESSION, lead_list: (a) => ((a as { filter: string }).filter === "mine" ? { ...EMPTY, items: [own], total: 1 } : EMPTY) });
    wrap(<MyCustomersScreen />);
    fireEvent.click(await screen.findByRole("button", { name: "放回公海" }));
    expect(await screen.findByTestId("release-warning")).toHaveTextContent("24 小时冷却期");
  });
});
