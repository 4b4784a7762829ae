import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { ApiFailure, fakeCore, lead, SESSION } from "../test/fakeCore";
import { EMPTY_PAGE, renderScreen } from "../test/renderScreen";
import { MyCustomersScreen } from "../screens/MyCustomersScreen";
import { LeadDrawer } from "./LeadDrawer";
import { changedFields } from "./leadFields";
import { formatDateTime } from "../format";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const EMPTY = EMPTY_PAGE;

const wrap = renderScreen;

const mine = lead({
  company: "深圳腾达科技",
  owner: "lina",
  owner_name: "李娜-华南",
  masked: false,
  editable: true,
  fields: { company: "深圳腾达科技", contact: "王伟", phone: "13912343333", need: "工控机" },
});

const detail = (l: typeof mine, missing: string[][] = []) => ({ lead: l, history: [], missing });

describe("changedFields", () => {
  it("sends only what changed, an emptied field as empty", () => {
    expect(changedFields({ company: "甲", phone: "139", need: "x" }, { company: "甲 ", phone: "", need: "y", contact: "" })).toEqual({ phone: "", need: "y" });
  });
});

describe("editing a lead", () => {
  it("the owner edits from the drawer; only changed fields go to lead_update", async () => {
    let current = mine;
    const core = fakeCore({
      session: () => SESSION,
      lead_get: () => detail(current),
      lead_update: (a) => {
        const { fields } = a as { fields: Record<string, string> };
        current = { ...current, fields: { ...current.fields, ...fields } };
        return current;
      },
    });
    wrap(<LeadDrawer id={mine.id} onClose={() => {}} />);
    fireEvent.click(await screen.findByTestId("lead-edit"));
    const phone = (await screen.findByTestId("edit-phone")) as HTMLInputElement;
    await waitFor(() => expect(phone.value).toBe("13912343333"));
    fireEvent.change(phone, { target: { value: "13800001111" } });
    fireEvent.click(screen.getByTestId("edit-submit"));
    await screen.findByText("客户资料已更新");
    expect(core.calls.find((c) => c.cmd === "lead_update")?.args).toEqual({ id: mine.id, fields: { phone: "13800001111" } });
    // The drawer shows what the core now holds.
    await within(await screen.findByTestId("lead-detail")).findByText("13800001111");
  });

  it("shows the core's refusal beside the form and keeps it open", async () => {
    fakeCore({
      session: () => SESSION,
      lead_get: () => detail(mine),
      lead_update: () => {
        throw new ApiFailure(403, "forbidden", "followed by wang until 2026-03-05T01:00:00+00:00", "owned_by_other", {
          owner: "王强",
          until: "2026-03-05T01:00:00Z",
        });
      },
    });
    wrap(<LeadDrawer id={mine.id} onClose={() => {}} />);
    fireEvent.click(await screen.findByTestId("lead-edit"));
    fireEvent.change(await screen.findByTestId("edit-need"), { target: { value: "年度采购" } });
    fireEvent.click(screen.getByTestId("edit-submit"));
    const error = await screen.findByTestId("edit-error");
    expect(error).toHaveTextContent(`该客户由 王强 跟进中，保护期至 ${formatDateTime("2026-03-05T01:00:00Z", "zh-CN")}`);
    expect(screen.getByTestId("edit-form")).toBeInTheDocument();
  });

  it("shows a refusal about one field beside that field", async () => {
    fakeCore({
      session: () => SESSION,
      lead_get: () => detail(mine),
      lead_update: () => {
        throw new ApiFailure(400, "invalid_argument", "phone \"微信同号\" holds '微'", "phone_character", { phone: "微信同号", character: "微" });
      },
    });
    wrap(<LeadDrawer id={mine.id} onClose={() => {}} />);
    fireEvent.click(await screen.findByTestId("lead-edit"));
    fireEvent.change(await screen.findByTestId("edit-phone"), { target: { value: "微信同号" } });
    fireEvent.click(screen.getByTestId("edit-submit"));
    const item = (await screen.findByText(/电话“微信同号”含有“微”/)).closest(".ant-form-item");
    expect(item).toContainElement(screen.getByTestId("edit-phone"));
    expect(screen.queryByTestId("edit-error")).toBeNull();
  });

  it("says in the UI's words why an event took no effect", async () => {
    const claim = {
      id: "e2", kind: "claim", rep: "lina", rep_name: "李娜-华南", device: "d1", device_time: "2026-03-02T01:00:00Z",
      after: null, followup: null, note: null, fields: null, from: null, to: null,
      ignored: { reason: "owned_by_other", params: { owner: "王强", until: "2026-03-05T01:00:00Z" } },
    };
    fakeCore({ session: () => SESSION, lead_get: () => ({ ...detail(mine), history: [claim] }) });
    wrap(<LeadDrawer id={mine.id} onClose={() => {}} />);
    expect(
      await screen.findByText(`未生效：该客户由 王强 跟进中，保护期至 ${formatDateTime("2026-03-05T01:00:00Z", "zh-CN")}`),
    ).toBeInTheDocument();
  });

  it("someone else's customer has no edit button", async () => {
    fakeCore({ session: () => SESSION, lead_get: () => detail(lead({ company: "别人的客户" })) });
    wrap(<LeadDrawer id="L-别人的客户" onClose={() => {}} />);
    await screen.findByTestId("lead-detail");
    expect(screen.queryByTestId("lead-edit")).toBeNull();
  });
});

describe("completing an incomplete registration", () => {
  const half = lead({
    company: "广州星河贸易",
    state: "incomplete",
    owner: null,
    owner_name: null,
    protected_until: null,
    registered_by: "lina",
    masked: false,
    editable: true,
    fields: { company: "广州星河贸易", phone: "020-88886666" },
  });

  it("lists my incomplete registrations, says what is missing, and completing claims it", async () => {
    const until = "2026-03-08T09:00:00Z";
    let done = false;
    const core = fakeCore({
      session: () => SESSION,
      lead_list: (a) => {
        const f = (a as { filter: string }).filter;
        if (f === "incomplete" && !done) return { ...EMPTY, items: [half], total: 1 };
        if (f === "mine" && done) return { ...EMPTY, items: [{ ...half, state: "protected" }], total: 1 };
        return EMPTY;
      },
      lead_get: () => detail(half, [["need"]]),
      lead_update: (a) => {
        done = true;
        const { fields } = a as { fields: Record<string, string> };
        return { ...half, state: "protected", owner: "lina", protected_until: until, fields: { ...half.fields, ...fields } };
      },
    });
    wrap(<MyCustomersScreen />);
    await waitFor(() => expect(screen.getByTestId("tab-incomplete")).toHaveTextContent("待补全 (1)"));
    fireEvent.click(screen.getByTestId("tab-incomplete"));
    fireEvent.click(await screen.findByTestId("complete"));
    expect(await screen.findByTestId("edit-missing")).toHaveTextContent("尚缺：需求");
    fireEvent.change(screen.getByTestId("edit-need"), { target: { value: "年度采购打印机" } });
    fireEvent.click(screen.getByTestId("edit-submit"));
    await screen.findByText(/资料已补全，报备成功，保护期至/);
    expect(core.calls.find((c) => c.cmd === "lead_update")?.args).toEqual({ id: half.id, fields: { need: "年度采购打印机" } });
    await waitFor(() => expect(screen.getByTestId("tab-incomplete")).toHaveTextContent("待补全 (0)"));
  });

  it("a save that leaves it incomplete keeps the form open with what is still missing", async () => {
    let fields: Record<string, string> = { ...half.fields } as Record<string, string>;
    const missing = () => [fields.contact || fields.phone ? null : ["contact", "phone"], fields.need ? null : ["need"]].filter(Boolean);
    fakeCore({
      session: () => SESSION,
      lead_get: () => detail({ ...half, fields: { ...fields } }, missing() as string[][]),
      lead_update: (a) => {
        fields = { ...fields, ...(a as { fields: Record<string, string> }).fields };
        return { ...half, fields: { ...fields } };
      },
    });
    fields = { company: "广州星河贸易" };
    wrap(<LeadDrawer id={half.id} onClose={() => {}} />);
    fireEvent.click(await screen.findByTestId("lead-edit"));
    expect(await screen.findByTestId("edit-missing")).toHaveTextContent("尚缺：联系人 或 电话、需求");
    fireEvent.change(screen.getByTestId("edit-need"), { target: { value: "年度采购" } });
    fireEvent.click(screen.getByTestId("edit-submit"));
    await screen.findByText("已保存，但资料仍不完整，尚未构成报备");
    await waitFor(() => expect(screen.getByTestId("edit-missing")).toHaveTextContent(/^尚缺：联系人 或 电话。/));
    expect(screen.getByTestId("edit-form")).toBeInTheDocument();
  });

  it("a manager's own lists point to the team's customers", async () => {
    const core = fakeCore({ session: () => ({ ...SESSION, rep: { ...SESSION.rep, id: "zhangwei", role: "manager" } }), lead_list: () => EMPTY });
    wrap(<MyCustomersScreen />);
    expect(await screen.findByTestId("mine-empty-manager")).toHaveTextContent("团队成员的客户请在“团队管理”中查看");
    await waitFor(() => expect(core.calls.some((c) => (c.args as { filter?: string } | null)?.filter === "expiring")).toBe(true));
    for (const c of core.calls.filter((c) => (c.args as { filter?: string } | null)?.filter === "expiring")) {
      expect(c.args).toMatchObject({ owner: "zhangwei" });
    }
    fireEvent.click(screen.getByRole("button", { name: "查看团队客户" }));
    expect(window.location.hash).toBe("#/team");
    window.location.hash = "";
  });

  it("a manager's expiring list offers no follow-up on a rep's customer", async () => {
    fakeCore({
      session: () => ({ ...SESSION, rep: { ...SESSION.rep, role: "manager" } }),
      lead_list: (a) => ((a as { filter: string }).filter === "mine" ? { ...EMPTY, items: [lead({ company: "王强的客户", masked: false })], total: 1 } : EMPTY),
    });
    wrap(<MyCustomersScreen />);
    await screen.findByText("王强的客户");
    expect(screen.queryByTestId("followup")).toBeNull();
  });
});
