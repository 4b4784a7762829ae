import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App } from "./App";
import { ApiFailure, fakeCore, SESSION } from "../test/fakeCore";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = "";
  localStorage.clear();
});

const EMPTY_PAGE = { items: [], total: 0, total_capped: false, offset: 0, limit: 50 };

describe("App shell", () => {
  it("shows online only once the device has joined a hub", async () => {
    fakeCore({ session: () => ({ ...SESSION, hub_url: "http://127.0.0.1:47878" }), lead_list: () => EMPTY_PAGE });
    render(<App />);
    expect(await screen.findByTestId("session")).toHaveTextContent("李娜-华南");
    expect(screen.getByTestId("online-state")).toHaveTextContent("在线");
  });

  it("shows the sidebar in Chinese by default, and who is signed in", async () => {
    window.location.hash = "#/search";
    fakeCore({ session: () => SESSION, lead_list: () => EMPTY_PAGE });
    render(<App />);
    for (const label of ["工作台", "客户查询", "新建线索", "我的客户", "公海", "撞单处理", "同步", "指标", "设置"]) {
      expect(screen.getAllByText(label).length).toBeGreaterThan(0);
    }
    expect(await screen.findByTestId("session")).toHaveTextContent("李娜-华南");
    // No hub joined yet: not a green "online".
    expect(screen.getByTestId("online-state")).toHaveTextContent("仅本机");
    expect(await screen.findByText("没有匹配的客户")).toBeInTheDocument();
    expect(screen.queryByText("团队管理")).toBeNull();
  });

  it("a demo registry lets the user switch to the manager; every screen follows", async () => {
    let me = SESSION;
    const manager = { ...SESSION, demo: true, rep: { ...SESSION.rep, id: "zhangwei", name: "张伟", role: "manager" as const } };
    const core = fakeCore({
      session: () => me,
      lead_list: () => EMPTY_PAGE,
      rep_list: () => ({ reps: [SESSION.rep, manager.rep] }),
      demo_switch_user: () => (me = manager),
    });
    me = { ...SESSION, demo: true };
    render(<App />);
    const select = await screen.findByTestId("demo-user");
    fireEvent.mouseDown(select.querySelector(".ant-select-selector")!);
    fireEvent.click(await screen.findByText("张伟（经理）"));
    await waitFor(() => expect(screen.getByTestId("session")).toHaveTextContent("张伟"));
    expect(core.calls.find((c) => c.cmd === "demo_switch_user")?.args).toEqual({ rep: "zhangwei" });
    expect(await screen.findByText("团队管理")).toBeInTheDocument();
  });

  it("a real registry offers no user switch", async () => {
    fakeCore({ session: () => SESSION, lead_list: () => EMPTY_PAGE });
    render(<App />);
    expect(await screen.findByTestId("session")).toHaveTextContent("李娜-华南");
    expect(screen.queryByTestId("demo-user")).toBeNull();
  });

  it("a manager gets the team menu", async () => {
    fakeCore({ session: () => ({ ...SESSION, rep: { ...SESSION.rep, role: "manager" } }), lead_list: () => EMPTY_PAGE });
    render(<App />);
    expect(await screen.findByText("团队管理")).toBeInTheDocument();
  });

  it("switches to English and remembers the choice", async () => {
    window.location.hash = "#/search";
    const core = fakeCore({ session: () => SESSION, lead_list: () => EMPTY_PAGE, ui_locale_set: (a) => a });
    render(<App />);
    fireEvent.click(screen.getAllByText("English")[0]);
    expect(screen.getAllByText("Registry search").length).toBeGreaterThan(0);
    expect(localStorage.getItem("leadguard.locale")).toBe("en-US");
    // The core keeps the choice too: desktop notifications are shown in it.
    await waitFor(() => expect(core.calls.find((c) => c.cmd === "ui_locale_set")?.args).toEqual({ locale: "en-US" }));
    expect(await screen.findByText("No matching customers")).toBeInTheDocument();
  });

  it("offers device set-up when the registry is not initialised, and calls init", async () => {
    let initialised = false;
    const core = fakeCore({
      session: () => {
        if (!initialised) throw new ApiFailure(409, "not_initialized", "no registry");
        return SESSION;
      },
      init: () => {
        initialised = true;
        return SESSION;
      },
      lead_list: () => EMPTY_PAGE,
    });
    render(<App />);
    expect(await screen.findByText("初始化本机客户库")).toBeInTheDocument();
    fireEvent.change(screen.getByTestId("init-rep-id"), { target: { value: "lina" } });
    fireEvent.change(screen.getByTestId("init-name"), { target: { value: "李娜-华南" } });
    fireEvent.change(screen.getByTestId("init-branch"), { target: { value: "华南" } });
    fireEvent.click(screen.getByTestId("init-submit"));
    expect(await screen.findByTestId("session")).toHaveTextContent("李娜-华南");
    const init = core.calls.find((c) => c.cmd === "init");
    expect(init?.args).toEqual({ rep_id: "lina", name: "李娜-华南", branch: "华南", role: "rep" });
  });

  it("settings show what the core reports even without a registry", async () => {
    window.location.hash = "#/settings";
    fakeCore({
      app_info: () => ({ name: "Leadguard", version: "9.9.9", data_dir: "/data/here" }),
      session: () => {
        throw new ApiFailure(409, "not_initialized", "no registry");
      },
    });
    render(<App />);
    expect(await screen.findByText("/data/here")).toBeInTheDocument();
    expect(screen.getByText(/9\.9\.9/)).toBeInTheDocument();
  });

  it("explains a missing access token in plain words", async () => {
    window.location.hash = "#/settings";
    fakeCore({
      app_info: () => {
        throw new ApiFailure(401, "forbidden", "missing or wrong access token", "token_invalid");
      },
      session: () => {
        throw new ApiFailure(401, "forbidden", "missing or wrong access token", "token_invalid");
      },
    });
    render(<App />);
    await waitFor(() => expect(screen.getAllByRole("alert")[0]).toHaveTextContent("访问令牌缺失或已失效"));
  });
});
