/**
 * An in-memory stand-in for the core behind `fetch("/api/<cmd>")`, for component tests:
 * answers with the generated result types, records every call, and fails unknown
 * commands the way the real server does (404 `unknown_command`).
 */
import { vi } from "vitest";
import type { LeadView } from "../api/generated/LeadView";
import type { SessionInfo } from "../api/generated/SessionInfo";

export type Handler = (args: unknown) => unknown;

/** A refusal as the core sends it: a code, and (when given) a typed reason with params. */
export class ApiFailure {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly reason?: string,
    readonly params: Record<string, unknown> = {},
  ) {}
}

export const SESSION: SessionInfo = {
  rep: { id: "lina", name: "李娜-华南", branch: "华南", region: "华南", role: "rep", active: true },
  branch: "华南",
  device: "dev-1",
  policy: {
    protection_hours: 72,
    extension_hours: 72,
    qualifying_followups: ["visit", "sample", "quote", "store_visit", "deal"],
    reclaim_cooldown_hours: 24,
    required: [["company"], ["contact", "phone"], ["need"]],
    appeal_window_hours: 168,
    appeal_sla_hours: 24,
    arbitration: ["past_deal", "recent_followup", "region_match", "completeness", "earlier_window"],
    dup_threshold_percent: 85,
    report_validity_days: 30,
    max_held: 0,
    max_claims_per_day: 0,
    suspend_after_faults: 0,
    assignment: [],
    duty_rota: [],
    cross_branch_decider: "director",
  },
  data_dir: "/data",
  pending_changes: 0n as unknown as bigint,
  hub_url: null,
  last_sync_at: null,
  last_clock_skew_secs: null,
  demo: false,
};

export function lead(over: Partial<LeadView> & { company: string }): LeadView {
  const { company, ...rest } = over;
  return {
    id: `L-${company}`,
    state: "protected",
    owner: "wang",
    owner_name: "王强-华东",
    protected_until: new Date(Date.now() + 3 * 24 * 3_600_000).toISOString(),
    claimed_at: null,
    previous_owner: null,
    previous_owner_name: null,
    pool_since: null,
    registered_by: "wang",
    registered_at: null,
    updated_at: null,
    masked: true,
    editable: false,
    claimable: false,
    summary: "",
    fields: { company },
    ...rest,
  };
}

export function fakeCore(handlers: Record<string, Handler>) {
  const calls: { cmd: string; args: unknown }[] = [];
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const cmd = decodeURIComponent(url.replace("/api/", ""));
    const args = JSON.parse(String(init?.body ?? "null"));
    calls.push({ cmd, args });
    const reply = (status: number, body: unknown) =>
      new Response(JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? Number(v) : v)), {
        status,
        headers: { "content-type": "application/json" },
      });
    const h = handlers[cmd];
    if (!h) return reply(404, { code: "unknown_command", message: cmd });
    try {
      return reply(200, await h(args));
    } catch (e) {
      if (e instanceof ApiFailure)
        return reply(e.status, { code: e.code, message: e.message, ...(e.reason ? { reason: e.reason, params: e.params } : {}) });
      throw e;
    }
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}
