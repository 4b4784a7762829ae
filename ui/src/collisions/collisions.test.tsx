import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { App as AntApp } from "antd";
import { I18nProvider, type Locale } from "../i18n";
import { SessionProvider } from "../app/session";
import { ApiFailure, fakeCore, lead, SESSION } from "../test/fakeCore";
import type { CaseSummary } from "../api/generated/CaseSummary";
import type { CollisionDetail } from "../api/generated/CollisionDetail";
import type { DecisionView } from "../api/generated/DecisionView";
import { CollisionsScreen, keepOrder, sortCases } from "./CollisionsScreen";
import { CaseDrawer } from "./CaseDrawer";
import { toOutcome, draftFrom, type DecisionContext, type DecisionDraft } from "./decision";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = "";
});

const MANAGER = { ...SESSION, rep: { ...SESSION.rep, id: "zhang", name: "张经理", role: "manager" as const } };
const REPS = {
  reps: [
    { id: "lina", name: "李娜-华南", branch: "华南", region: "华南", role: "rep", active: true },
    { id: "wang", name: "王强-华东", branch: "华南", region: "华东", role: "rep", active: true },
    { id: "zhang", name: "张经理", branch: "华南", region: null, role: "manager", active: true },
  ],
};
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function summary(over: Partial<CaseSummary> & { id: string }): CaseSummary {
  return {
    kind: "duplicate_leads",
    branch: "华南",
    lead_ids: [`L-${over.id}-a`, `L-${over.id}-b`],
    reps: ["lina", "wang"],
    claims: [],
    duplicates: [],
    relations: [],
    surfaced_at: iso(Date.now() - 2 * HOUR),
    state: "open",
    due_at: iso(Date.now() + 22 * HOUR),
    overdue: false,
    open_appeals: 0,
    branches: ["华南"],
    decider: "branch_manager",
    ...over,
  };
}

const decision = (over: Partial<DecisionView> & { decision: string }): DecisionView => ({
  outcome: { kind: "owner", rep: "lina" },
  reason: "李娜先拜访",
  by: "zhang",
  device_time: iso(Date.now() - HOUR),
  received_at: null,
  supersedes: null,
  superseded: false,
  ...over,
});

function detail(over: { resolution?: Partial<CollisionDetail["resolution"]>; branches?: string[]; decider?: CollisionDetail["decider"] } = {}): CollisionDetail {
  return {
    case: {
      id: "c1",
      kind: "duplicate_leads",
      branch: "华南",
      lead_ids: ["A1", "B2"],
      reps: ["lina", "wang"],
      claims: [
        {
          event_id: "e1",
          lead_id: "A1",
          rep: "lina",
          device: "d1",
          device_time: "2026-03-01T02:00:00Z",
          kind: "register",
          effective_time: "2026-03-01T02:00:00Z",
          window: { from: "2026-03-01T01:00:00Z", to: "2026-03-01T08:00:00Z" },
          took_effect: true,
          held_by: null,
          held_until: null,
        },
        {
          event_id: "e2",
          lead_id: "B2",
          rep: "wang",
          device: "d2",
          device_time: "2026-01-30T02:00:00Z",
          kind: "register",
          effective_time: "2026-01-30T02:00:00Z",
          window: { from: null, to: "2026-03-01T09:00:00Z" },
          took_effect: true,
          held_by: null,
          held_until: null,
        },
      ],
      duplicates: [{ a: "A1", b: "B2", score: 0.97, reasons_zh: ["电话相同", "公司名称相似度 92%"], reasons_en: ["Same phone", "Company name 92% similar"] }],
      relations: [],
      surfaced_at: "2026-03-01T09:00:00Z",
    },
    leads: [lead({ company: "上海华强电子有限公司", id: "A1" }), lead({ company: "华强电子(上海)", id: "B2" })],
    resolution: {
      state: "open",
      decisions: [],
      appeals: [],
      due_at: iso(Date.now() - 3 * HOUR),
      overdue: true,
      appeal_until: null,
      appealable: false,
      ...over.resolution,
    },
    proposal: {
      outcome: { kind: "owner", rep: "lina" },
      decided_by: "earlier_window",
      reference_time: "2026-03-01T09:00:00Z",
      steps: [
        {
          criterion: "earlier_window",
          decided: true,
          note_zh: null,
          note_en: null,
          findings: [
            { rep: "lina", score: 1, kept: true, detail_zh: "证据窗口更早", detail_en: "earlier window" },
            { rep: "wang", score: 0, kept: false, detail_zh: "证据窗口更晚", detail_en: "later window" },
          ],
        },
      ],
      evidence: [],
      explanation_zh: "李娜的报备早于王强（按服务器时间窗）。",
      explanation_en: "Li Na claimed before Wang Qiang (by hub-time windows).",
    },
    branches: ["华南"],
    decider: "branch_manager",
    ...(over.branches ? { branches: over.branches, decider: over.decider ?? "director" } : {}),
  };
}

function wrap(ui: React.ReactNode, locale: Locale = "zh-CN") {
  return render(
    <I18nProvider locale={locale}>
      <SessionProvider>
        <AntApp>{ui}</AntApp>
      </SessionProvider>
    </I18nProvider>,
  );
}

const leadGet = (args: unknown) => {
  const id = (args as { id: string }).id;
  const company = id.endsWith("-a") || id === "A1" ? "上海华强电子有限公司" : "华强电子(上海)";
  return {
    lead: lead({ company, id, masked: false }),
    history:
      id === "A1"
        ? [{ id: "f1", kind: "followup", rep: "lina", rep_name: "李娜-华南", device: "d1", device_time: "2026-03-01T03:00:00Z", after: "2026-03-01T01:00:00Z", followup: "visit", note: "上门拜访，有签到", fields: null, from: null, to: null, ignored: null }]
        : id === "B2"
          ? [{ id: "k1", kind: "duplicate_acknowledged", rep: "wang", rep_name: "王强-华东", device: "d2", device_time: "2026-03-01T05:00:00Z", after: null, followup: null, note: "客户主动来电", fields: null, from: null, to: null, ignored: null, acknowledged: ["A1"], collaborate: true }]
          : [],
  };
};

describe("collision queue", () => {
  it("orders cases needing action first: overdue, then soonest due, settled last", () => {
    const a = summary({ id: "a", state: "decided" });
    const b = summary({ id: "b", overdue: true, due_at: iso(Date.now() - HOUR) });
    const c = summary({ id: "c", due_at: iso(Date.now() + 5 * HOUR) });
    const d = summary({ id: "d", due_at: iso(Date.now() + 20 * HOUR) });
    expect(sortCases([a, d, c, b]).map((x) => x.id)).toEqual(["b", "c", "d", "a"]);
  });

  it("a manager sees every case with kind, customer, reps by name, SLA and state", async () => {
    const core = fakeCore({
      session: () => MANAGER,
      rep_list: () => REPS,
      collisions_list: () => ({
        cases: [
          summary({ id: "c1" }),
          summary({ id: "c2", kind: "concurrent_claims", state: "conflict", overdue: true, due_at: iso(Date.now() - 5 * HOUR), open_appeals: 1 }),
        ],
      }),
      lead_get: leadGet,
    });
    wrap(<CollisionsScreen />);
    const rows = await screen.findAllByTestId("case-row");
    expect(rows).toHaveLength(2);
    // The overdue conflict comes first.
    expect(rows[0]).toHaveTextContent("同时认领");
    expect(rows[0]).toHaveTextContent("裁决冲突");
    expect(rows[0]).toHaveTextContent(/已超时 5 小时/);
    expect(rows[0]).toHaveTextContent("1 条申诉待处理");
    expect(rows[1]).toHaveTextContent("重复登记");
    expect(rows[1]).toHaveTextContent("待裁决");
    expect(rows[1]).toHaveTextContent(/剩余 21 小时|剩余 22 小时/);
    await waitFor(() => expect(rows[1]).toHaveTextContent("上海华强电子有限公司"));
    expect(within(rows[1]).getByTestId("case-reps")).toHaveTextContent("李娜-华南、王强-华东");
    expect(core.calls.find((c) => c.cmd === "collisions_list")?.args).toEqual({});
  });

  it("rule 17: the director's queue opens on cases across branches (跨分公司), and it decides them", async () => {
    const director = { ...SESSION, rep: { ...SESSION.rep, id: "zong", name: "宗建", role: "director" as const } };
    fakeCore({
      session: () => director,
      rep_list: () => REPS,
      collisions_list: () => ({ cases: [summary({ id: "c1" }), summary({ id: "c3", branches: ["华东", "华南"], decider: "director" })] }),
      lead_get: leadGet,
      collision_get: () => detail({ branches: ["华东", "华南"] }),
    });
    wrap(<CollisionsScreen />);
    await waitFor(() => expect(screen.getAllByTestId("case-row")).toHaveLength(1));
    const row = screen.getByTestId("case-row");
    expect(within(row).getByTestId("case-branches")).toHaveTextContent("华东 · 华南");
    expect(row).toHaveTextContent("待总监裁决");
    fireEvent.click(row);
    expect(await screen.findByTestId("case-decide")).toBeInTheDocument();
    expect(screen.queryByTestId("case-awaiting-director")).toBeNull();
  });

  it("rule 17: a manager follows a cross-branch case awaiting the director, without a decision form", async () => {
    fakeCore({
      session: () => MANAGER,
      rep_list: () => REPS,
      collisions_list: () => ({ cases: [summary({ id: "c3", branches: ["华东", "华南"], decider: "director" })] }),
      lead_get: leadGet,
      collision_get: () => detail({ branches: ["华东", "华南"] }),
    });
    wrap(<CollisionsScreen />);
    fireEvent.click(await screen.findByTestId("case-row"));
    expect(await screen.findByTestId("case-awaiting-director")).toHaveTextContent("待总监裁决");
    expect(screen.queryByTestId("case-decide")).toBeNull();
  });

  it("opens the case named in the address, also when a notification sets it later", async () => {
    fakeCore({
      session: () => MANAGER,
      rep_list: () => REPS,
      collisions_list: () => ({ cases: [summary({ id: "c1" })] }),
      lead_get: leadGet,
      collision_get: () => detail(),
    });
    wrap(<CollisionsScreen />);
    await screen.findAllByTestId("case-row");
    expect(screen.queryByTestId("case-detail")).toBeNull();
    window.location.hash = "/collisions/c1";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(await screen.findByTestId("case-detail")).toBeInTheDocument();
  });

  it("a rep asks only for the cases naming them, and an empty queue says so", async () => {
    const core = fakeCore({ session: () => SESSION, rep_list: () => REPS, collisions_list: () => ({ cases: [] }) });
    wrap(<CollisionsScreen />, "en-US");
    expect(await screen.findByText("No collisions. Cases found after a sync appear here.")).toBeInTheDocument();
    expect(core.calls.find((c) => c.cmd === "collisions_list")?.args).toEqual({ mine: true });
    expect(screen.queryByTestId("mine-only")).toBeNull();
  });
});

describe("case page", () => {
  it("a claim during protection shows the effective time, the device clock's skew and whose protection it met", async () => {
    const d = detail();
    d.case.kind = "claim_during_protection";
    d.case.claims[1] = {
      ...d.case.claims[1],
      kind: "claim",
      device_time: "2026-03-06T09:00:00Z",
      effective_time: "2026-03-01T09:00:00Z",
      window: { from: "2026-03-01T08:00:00Z", to: "2026-03-01T09:00:00Z" },
      took_effect: false,
      held_by: "lina",
      held_until: "2026-03-04T02:00:00Z",
    };
    fakeCore({ session: () => MANAGER, rep_list: () => REPS, collision_get: () => d, lead_get: leadGet });
    wrap(<CaseDrawer id="c1" onClose={() => {}} onChanged={() => {}} company={() => undefined} />);
    const page = await screen.findByTestId("case-detail");
    expect(page).toHaveTextContent("保护期内认领");
    const sides = within(page).getAllByTestId("case-side");
    expect(within(sides[1]).getByTestId("claim-effective-time")).toHaveTextContent("生效时间（按服务器时间校准）");
    expect(within(sides[1]).getByTestId("claim-skew")).toHaveTextContent("设备时钟快了 5 天 0 小时 0 分");
    expect(within(sides[1]).getByTestId("claim-held")).toHaveTextContent("李娜-华南 的保护期至");
    expect(within(sides[1]).getByText("未生效")).toBeInTheDocument();
    // An honest clock: no skew called out.
    expect(within(sides[0]).queryByTestId("claim-skew")).toBeNull();
  });

  it("shows each side's evidence windows in hub time, device time for reference, the match and the proposal", async () => {
    fakeCore({ session: () => MANAGER, rep_list: () => REPS, collision_get: () => detail(), lead_get: leadGet });
    wrap(<CaseDrawer id="c1" onClose={() => {}} onChanged={() => {}} company={() => undefined} />);
    const page = await screen.findByTestId("case-detail");
    const sides = within(page).getAllByTestId("case-side");
    expect(sides).toHaveLength(2);
    expect(sides[0]).toHaveTextContent("李娜-华南");
    expect(sides[0]).toHaveTextContent("证据时间窗（服务器时间）");
    expect(sides[0]).toHaveTextContent("设备时间(仅供参考)");
    expect(sides[0]).toHaveTextContent("已生效");
    // The follow-up from the lead's history sits on its rep's side.
    await waitFor(() => expect(sides[0]).toHaveTextContent("上门拜访，有签到"));
    // 王强 registered anyway: the manager reads his reason and his request to collaborate.
    await waitFor(() => expect(sides[1]).toHaveTextContent("理由：客户主动来电"));
    expect(sides[1]).toHaveTextContent("申请与负责人协作");
    // A device that had never synced: only the hub's receipt bounds the claim, said so in words.
    expect(sides[1]).toHaveTextContent("此前该设备从未同步，没有更早的时间证据");
    expect(sides[1]).not.toHaveTextContent(" 至 ");
    expect(within(page).getByTestId("case-duplicates")).toHaveTextContent("相似度 97%");
    expect(within(page).getByTestId("case-duplicates")).toHaveTextContent("电话相同");
    expect(within(page).getByTestId("proposal-outcome")).toHaveTextContent("归属：李娜-华南");
    expect(within(page).getByTestId("proposal-explanation")).toHaveTextContent("李娜的报备早于王强");
    expect(within(page).getByTestId("case-proposal")).toHaveTextContent("依据：先报备（按证据时间窗）");
    expect(page).toHaveTextContent(/已超时/);
    // A manager decides; nobody named here, so no appeal.
    expect(within(page).getByTestId("decision-form")).toBeInTheDocument();
    expect(screen.queryByTestId("appeal-open")).toBeNull();
  });

  it("explains the proposal in English when English is chosen", async () => {
    fakeCore({ session: () => MANAGER, rep_list: () => REPS, collision_get: () => detail(), lead_get: leadGet });
    wrap(<CaseDrawer id="c1" onClose={() => {}} onChanged={() => {}} company={() => undefined} />, "en-US");
    expect(await screen.findByTestId("proposal-explanation")).toHaveTextContent("Li Na claimed before Wang Qiang");
    expect(screen.getAllByTestId("claim-device-time")[0]).toHaveTextContent("Device time (for reference only)");
  });

  it("shows a conflict clearly, with both standing decisions", async () => {
    const decisions = [
      decision({ decision: "d1", by: "zhang", outcome: { kind: "owner", rep: "lina" }, reason: "李娜先拜访" }),
      decision({ decision: "d2", by: "liu", outcome: { kind: "pool" }, reason: "双方均无有效跟进" }),
    ];
    fakeCore({
      session: () => MANAGER,
      rep_list: () => REPS,
      collision_get: () => detail({ resolution: { state: "conflict", decisions } }),
      lead_get: leadGet,
    });
    wrap(<CaseDrawer id="c1" onClose={() => {}} onChanged={() => {}} company={() => undefined} />);
    const conflict = await screen.findByTestId("case-conflict");
    expect(conflict).toHaveTextContent("裁决冲突");
    expect(conflict).toHaveTextContent("归属：李娜-华南");
    expect(conflict).toHaveTextContent("归公（回到公海）");
    expect(screen.getAllByTestId("case-decision")).toHaveLength(2);
  });

  it("a rep named in a decided case sees the decision and appeals within the window", async () => {
    const decided = detail({
      resolution: {
        state: "decided",
        overdue: false,
        decisions: [decision({ decision: "d1", outcome: { kind: "owner", rep: "wang" }, reason: "王强先成交", received_at: "2026-03-02T01:00:00Z" })],
        appeal_until: iso(Date.now() + 100 * HOUR),
        appealable: true,
      },
    });
    const core = fakeCore({
      session: () => SESSION,
      rep_list: () => REPS,
      collision_get: () => decided,
      lead_get: leadGet,
      collision_appeal: () => decided,
    });
    wrap(<CaseDrawer id="c1" onClose={() => {}} onChanged={() => {}} company={() => undefined} />);
    expect(await screen.findByTestId("case-decision")).toHaveTextContent("归属：王强-华东");
    expect(screen.getByTestId("case-decision")).toHaveTextContent("王强先成交");
    expect(screen.queryByTestId("decision-form")).toBeNull();
    fireEvent.click(screen.getByTestId("appeal-open"));
    fireEvent.click(await screen.findByTestId("appeal-submit"));
    expect(await screen.findByText("请填写申诉理由")).toBeInTheDocument();
    expect(core.calls.some((c) => c.cmd === "collision_appeal")).toBe(false);
    fireEvent.change(screen.getByTestId("appeal-note"), { target: { value: "我 3 月 1 日已拜访，有照片" } });
    fireEvent.click(screen.getByTestId("appeal-submit"));
    await waitFor(() =>
      expect(core.calls.find((c) => c.cmd === "collision_appeal")?.args).toEqual({ id: "c1", note: "我 3 月 1 日已拜访，有照片" }),
    );
  });
});

const CTX: DecisionContext = { kind: "duplicate_leads", reps: ["lina", "wang"], leadIds: ["A1", "B2"], conflict: false, decisions: [] };
const draft = (over: Partial<DecisionDraft>): DecisionDraft => ({ kind: "owner", shares: {}, reason: "有拜访记录", ...over });

describe("decision draft", () => {
  it("turns into the outcome the core checks", () => {
    expect(toOutcome(draft({ kind: "split", shares: { lina: 60, wang: 40 } }))).toEqual({
      kind: "split",
      shares: [
        { rep: "lina", pct: 60 },
        { rep: "wang", pct: 40 },
      ],
    });
    expect(toOutcome(draft({ kind: "merge", owner: "lina", into: "A1" }))).toEqual({ kind: "merge", into: "A1", owner: "lina" });
  });
  it("settling a conflict starts by replacing the latest standing decision", () => {
    const decisions = [decision({ decision: "d1" }), decision({ decision: "d2", outcome: { kind: "pool" } })];
    expect(draftFrom({ kind: "owner", rep: "wang" }, { ...CTX, decisions, conflict: true })).toMatchObject({ owner: "wang", supersedes: "d2" });
  });
});

describe("decision form", () => {
  it("shows the core's refusals beside the field concerned (a missing reason, a split not totalling 100), then records a valid split", async () => {
    // The core's rules, as the real core answers them: the form checks nothing itself.
    const resolve = (args: unknown) => {
      const a = args as { reason: string; outcome: { kind: string; shares?: { pct: number }[] } };
      if (a.reason.trim() === "") throw new ApiFailure(400, "invalid_argument", "reason is required", "field_required", { field: "reason" });
      const total = (a.outcome.shares ?? []).reduce((s, x) => s + x.pct, 0);
      if (a.outcome.kind === "split" && total !== 100)
        throw new ApiFailure(400, "invalid_argument", `the shares total ${total}%, not 100%`, "split_total", { total });
      return detail({ resolution: { state: "decided", decisions: [decision({ decision: "d9" })] } });
    };
    const core = fakeCore({
      session: () => MANAGER,
      rep_list: () => REPS,
      collision_get: () => detail(),
      lead_get: leadGet,
      collision_resolve: resolve,
    });
    const onChanged = vi.fn();
    wrap(<CaseDrawer id="c1" onClose={() => {}} onChanged={onChanged} company={() => undefined} />);
    const form = await screen.findByTestId("decision-form");
    // Pre-filled from the proposal (owner 李娜); the reason is still missing.
    fireEvent.click(within(form).getByTestId("decide-submit"));
    const missing = await within(form).findByText("请填写裁决理由");
    expect(missing.closest(".ant-form-item")).toContainElement(within(form).getByTestId("decide-reason"));
    fireEvent.click(within(form).getByText("佣金分成"));
    const input = (rep: string) => {
      const el = within(form).getByTestId(`share-${rep}`);
      return el.tagName === "INPUT" ? el : el.querySelector("input")!;
    };
    fireEvent.change(input("lina"), { target: { value: "60" } });
    fireEvent.change(input("wang"), { target: { value: "30" } });
    fireEvent.change(within(form).getByTestId("decide-reason"), { target: { value: "王强成交，李娜首次致电" } });
    await waitFor(() => expect(within(form).getByTestId("split-total")).toHaveTextContent("合计 90%"));
    fireEvent.click(within(form).getByTestId("decide-submit"));
    const total = await within(form).findByText("分成比例合计为 90%，必须为 100%");
    expect(total.closest(".ant-form-item")).toContainElement(within(form).getByTestId("share-lina"));
    expect(within(form).queryByText("请填写裁决理由")).toBeNull();
    expect(within(form).queryByRole("alert")).toBeNull();
    fireEvent.change(input("wang"), { target: { value: "40" } });
    await waitFor(() => expect(within(form).getByTestId("split-total")).toHaveTextContent("合计 100%"));
    fireEvent.click(within(form).getByTestId("decide-submit"));
    await waitFor(() =>
      expect(core.calls.filter((c) => c.cmd === "collision_resolve").at(-1)?.args).toEqual({
        id: "c1",
        outcome: { kind: "split", shares: [{ rep: "lina", pct: 60 }, { rep: "wang", pct: 40 }] },
        reason: "王强成交，李娜首次致电",
      }),
    );
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
  });
});

describe("after a decision", () => {
  it("the form folds to 已裁决 · 修改裁决, and changing it starts from the standing decision and replaces it", async () => {
    const decided = detail({ resolution: { state: "decided", decisions: [decision({ decision: "d9", outcome: { kind: "owner", rep: "wang" } })] } });
    // As the real core: once decided, the case reads as decided.
    let current = detail();
    const core = fakeCore({
      session: () => MANAGER,
      rep_list: () => REPS,
      collision_get: () => current,
      lead_get: leadGet,
      collision_resolve: () => (current = decided),
    });
    wrap(<CaseDrawer id="c1" onClose={() => {}} onChanged={() => {}} company={() => undefined} />);
    const form = await screen.findByTestId("decision-form");
    fireEvent.change(within(form).getByTestId("decide-reason"), { target: { value: "王强已报价" } });
    fireEvent.click(within(form).getByTestId("decide-submit"));
    const folded = await screen.findByTestId("case-decided");
    expect(folded).toHaveTextContent("已裁决");
    expect(folded).toHaveTextContent("王强");
    expect(screen.queryByTestId("decision-form")).toBeNull();
    fireEvent.click(within(folded).getByTestId("decide-change"));
    const again = await screen.findByTestId("decision-form");
    fireEvent.change(within(again).getByTestId("decide-reason"), { target: { value: "改判" } });
    fireEvent.click(within(again).getByTestId("decide-submit"));
    await waitFor(() =>
      expect(core.calls.filter((c) => c.cmd === "collision_resolve").at(-1)?.args).toEqual({
        id: "c1",
        outcome: { kind: "owner", rep: "wang" },
        reason: "改判",
        supersedes: "d9",
      }),
    );
  });

  it("the queue keeps its order after a refresh until the manager sorts again", () => {
    const order = { current: null as string[] | null };
    const open = summary({ id: "a", state: "open", due_at: iso(Date.now() + HOUR) });
    const later = summary({ id: "b", state: "open", due_at: iso(Date.now() + 5 * HOUR) });
    expect(keepOrder(sortCases([later, open]), order).map((c) => c.id)).toEqual(["a", "b"]);
    // "a" was just decided: sorting alone would move it below "b"; the queue keeps it.
    const decidedA = { ...open, state: "decided" as const };
    expect(sortCases([decidedA, later]).map((c) => c.id)).toEqual(["b", "a"]);
    expect(keepOrder(sortCases([decidedA, later]), order).map((c) => c.id)).toEqual(["a", "b"]);
    order.current = null;
    expect(keepOrder(sortCases([decidedA, later]), order).map((c) => c.id)).toEqual(["b", "a"]);
  });
});
