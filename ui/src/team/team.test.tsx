import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import type { Rep } from "../api/generated/Rep";
import { fakeCore, lead, SESSION } from "../test/fakeCore";
import { EMPTY_PAGE, renderScreen } from "../test/renderScreen";
import { teamListArgs } from "./TeamCustomers";
import { TeamScreen } from "./TeamScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const EMPTY = EMPTY_PAGE;
const MANAGER = { ...SESSION, rep: { ...SESSION.rep, id: "zhangwei", name: "张伟", role: "manager" as const } };
const rep = (id: string, name: string, role: Rep["role"] = "rep"): Rep => ({ id, name, branch: "华南", region: "华南", role, active: true });
const REPS = [rep("zhangwei", "张伟", "manager"), rep("lina", "李娜"), rep("wangqiang", "王强")];

const wrap = renderScreen;

/** Opens an antd Select and picks the option shown as `label`. */
async function pick(select: HTMLElement, label: string) {
  fireEvent.mouseDown(within(select).getByRole("combobox"));
  const options = await screen.findAllByTitle(label);
  fireEvent.click(options[options.length - 1]);
}

describe("teamListArgs", () => {
  it("asks the core for the team list, or the expiring list, narrowed as chosen", () => {
    expect(teamListArgs({ owner: null, state: null, expiring: false, search: " " })).toEqual({ filter: "team", owner: undefined, state: undefined, search: undefined });
    expect(teamListArgs({ owner: "lina", state: "pool", expiring: false, search: "腾达" })).toMatchObject({ filter: "team", owner: "lina", state: "pool", search: "腾达" });
    // Expiring means protected: the state choice does not apply.
    expect(teamListArgs({ owner: "lina", state: "pool", expiring: true, search: "" })).toEqual({ filter: "expiring", owner: "lina", search: undefined });
  });
});

describe("team screen", () => {
  it("lists the team's customers and narrows them by owner and state", async () => {
    const core = fakeCore({
      session: () => MANAGER,
      rep_list: () => ({ reps: REPS }),
      lead_list: (a) => {
        const { owner } = a as { owner?: string };
        const all = [lead({ company: "李娜的客户", owner: "lina", masked: false }), lead({ company: "王强的客户", owner: "wangqiang", masked: false })];
        return { ...EMPTY, items: all.filter((l) => !owner || l.owner === owner), total: 1 };
      },
    });
    wrap(<TeamScreen />);
    await screen.findByText("王强的客户");
    await pick(screen.getByTestId("team-owner"), "李娜");
    await waitFor(() => expect(screen.queryByText("王强的客户")).toBeNull());
    expect(screen.getByText("李娜的客户")).toBeInTheDocument();
    await pick(screen.getByTestId("team-state"), "公海");
    await waitFor(() => expect(core.calls.at(-1)?.args).toMatchObject({ filter: "team", owner: "lina", state: "pool" }));
    fireEvent.click(within(screen.getByTestId("team-expiring").parentElement!).getByRole("switch"));
    await waitFor(() => expect(core.calls.at(-1)?.args).toMatchObject({ filter: "expiring", owner: "lina" }));
  });

  it("a handover says how many customers move, to whom, before it runs", async () => {
    let reps = REPS;
    const core = fakeCore({
      session: () => MANAGER,
      rep_list: () => ({ reps }),
      lead_list: (a) => ((a as { owner?: string }).owner === "wangqiang" ? { ...EMPTY, total: 3 } : EMPTY),
      handover: (a) => {
        reps = reps.map((r) => (r.id === "wangqiang" ? { ...r, active: false } : r));
        return { ...(a as object), moved: ["a", "b", "c"] };
      },
    });
    wrap(<TeamScreen />);
    fireEvent.click(await screen.findByTestId("tab-reps"));
    const row = (await screen.findAllByTestId("rep-row")).find((r) => r.textContent?.includes("王强"))!;
    fireEvent.click(within(row).getByTestId("handover"));
    const count = await screen.findByTestId("handover-count");
    expect(count).toHaveTextContent("【王强】名下共有 3 个客户待交接");
    expect(screen.getByTestId("handover-confirm").closest("button")).toBeDisabled();
    await pick(screen.getByTestId("handover-to"), "李娜（lina）");
    await waitFor(() => expect(count).toHaveTextContent("将把【王强】名下的 3 个客户（保护中及已成交）全部移交给【李娜】，由其继续跟进；【王强】的账号随后停用。"));
    fireEvent.click(screen.getByTestId("handover-confirm"));
    await screen.findByText("已将 3 个客户移交给 李娜，王强 的账号已停用");
    expect(core.calls.find((c) => c.cmd === "handover")?.args).toEqual({ from: "wangqiang", to: "lina" });
    // The member list follows the core: 王强 has left and offers no second handover.
    const gone = () => screen.getAllByTestId("rep-row").find((r) => r.textContent?.includes("王强"))!;
    await waitFor(() => expect(gone()).toHaveTextContent("已停用"));
    expect(within(gone()).queryByTestId("handover")).toBeNull();
  });

  it("a member without customers can still be marked as left", async () => {
    fakeCore({ session: () => MANAGER, rep_list: () => ({ reps: REPS }), lead_list: () => EMPTY });
    wrap(<TeamScreen />);
    fireEvent.click(await screen.findByTestId("tab-reps"));
    const row = (await screen.findAllByTestId("rep-row")).find((r) => r.textContent?.includes("李娜"))!;
    fireEvent.click(within(row).getByTestId("handover"));
    expect(await screen.findByTestId("handover-count")).toHaveTextContent("【李娜】名下没有客户；确认后其账号停用。");
  });

  it("adds a member, refusing an account that already exists", async () => {
    let reps = REPS;
    const core = fakeCore({
      session: () => MANAGER,
      rep_list: () => ({ reps }),
      lead_list: () => EMPTY,
      rep_put: (a) => {
        const r = { ...rep("", ""), ...(a as object) } as Rep;
        reps = [...reps, r];
        return r;
      },
    });
    wrap(<TeamScreen />);
    fireEvent.click(await screen.findByTestId("tab-reps"));
    fireEvent.click(await screen.findByTestId("rep-add"));
    fireEvent.change(await screen.findByTestId("rep-id"), { target: { value: "lina" } });
    fireEvent.change(screen.getByTestId("rep-name"), { target: { value: "李娜二号" } });
    fireEvent.click(screen.getByTestId("rep-submit"));
    await screen.findByText("账号 lina 已存在");
    expect(core.calls.some((c) => c.cmd === "rep_put")).toBe(false);
    fireEvent.change(screen.getByTestId("rep-id"), { target: { value: "chenjing" } });
    fireEvent.change(screen.getByTestId("rep-name"), { target: { value: "陈静" } });
    fireEvent.change(screen.getByTestId("rep-region"), { target: { value: "深圳" } });
    fireEvent.click(screen.getByTestId("rep-submit"));
    await screen.findByText("已添加：陈静");
    expect(core.calls.find((c) => c.cmd === "rep_put")?.args).toEqual({ id: "chenjing", name: "陈静", role: "rep", region: "深圳" });
    await waitFor(() => expect(screen.getAllByTestId("rep-row")).toHaveLength(4));
  });

  it("a rep is told the screen is for managers", async () => {
    fakeCore({ session: () => SESSION });
    wrap(<TeamScreen />);
    expect(await screen.findByTestId("team-manager-only")).toHaveTextContent("团队管理仅对经理开放");
  });
});
