import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App } from "../app/App";
import { fakeCore, SESSION } from "../test/fakeCore";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = "";
  localStorage.clear();
});

const DESK = { ...SESSION, rep: { ...SESSION.rep, id: "zhou", name: "周前台", role: "receptionist" as const } };
const REPS = {
  reps: [
    { id: "lina", name: "李娜", branch: "华南", region: "华南", role: "rep", active: true },
    { id: "zhou", name: "周前台", branch: "华南", region: null, role: "receptionist", active: true },
  ],
};

describe("前台接待 (rule 16)", () => {
  it("a receptionist sees only the front desk, search, sync and settings", async () => {
    fakeCore({ session: () => DESK, rep_list: () => REPS });
    render(<App />);
    expect(await screen.findByTestId("front-desk-form")).toBeInTheDocument();
    for (const label of ["客户查询", "同步", "设置"]) expect(screen.getAllByText(label).length).toBeGreaterThan(0);
    for (const label of ["工作台", "新建线索", "我的客户", "公海", "撞单处理", "指标"]) expect(screen.queryByText(label)).toBeNull();
  });

  it("records a visit and says whose customer it is", async () => {
    const core = fakeCore({
      session: () => DESK,
      rep_list: () => REPS,
      visit_record: () => ({
        lead_id: "L1",
        matched: true,
        owner: "lina",
        owner_name: "李娜",
        note_left_out: false,
        explanation_zh: "已匹配到李娜的客户，来访已记为跟进证据",
        explanation_en: "matched",
      }),
    });
    window.location.hash = "#/frontdesk";
    render(<App />);
    fireEvent.change(await screen.findByTestId("visit-company"), { target: { value: "深圳市腾达科技有限公司" } });
    fireEvent.change(screen.getByTestId("visit-phone"), { target: { value: "13912345678" } });
    fireEvent.click(screen.getByTestId("visit-first"));
    fireEvent.click(screen.getByTestId("visit-submit"));
    expect(await screen.findByTestId("visit-result")).toHaveTextContent("已匹配：该客户由【李娜】跟进");
    const sent = core.calls.find((c) => c.cmd === "visit_record")?.args as Record<string, unknown>;
    expect(sent.company).toBe("深圳市腾达科技有限公司");
    expect(sent.first_visit).toBe(true);
    await waitFor(() => expect(typeof sent.time_in).toBe("string"));
  });
});
