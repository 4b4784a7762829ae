import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import type { ReportItem } from "../api/generated/ReportItem";
import { fakeCore, lead, SESSION } from "../test/fakeCore";
import { renderScreen } from "../test/renderScreen";
import { ReportsScreen } from "./ReportsScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const MANAGER = { ...SESSION, rep: { ...SESSION.rep, id: "zhangwei", name: "张伟", role: "manager" as const } };
const AGENT = { ...SESSION, rep: { ...SESSION.rep, id: "agent-7", name: "远航分销", role: "distributor" as const } };
const DAY = 86_400_000;

function report(company: string, over: Partial<ReportItem> = {}): ReportItem {
  return {
    lead: lead({ company, owner: "agent-7", owner_name: "远航分销", registered_by: "agent-7", masked: false }),
    reporter: "agent-7",
    reporter_name: "远航分销",
    reported_at: new Date(Date.now() - 2 * DAY).toISOString(),
    valid_until: new Date(Date.now() + 2 * DAY + 3_600_000).toISOString(),
    review: "pending",
    reviewed_by: null,
    reviewed_by_name: null,
    reviewed_at: null,
    review_reason: null,
    ...over,
  };
}

describe("reports screen", () => {
  it("a manager rejects a report only with a reason, which the core receives", async () => {
    let items = [report("澄海玩具")];
    const core = fakeCore({
      session: () => MANAGER,
      report_list: () => ({ items, pending: items.filter((i) => i.review === "pending").length }),
      report_review: (a) => {
        const { reason } = a as { reason: string };
        items = [report("澄海玩具", { review: "rejected", review_reason: reason, valid_until: null })];
        return items[0];
      },
    });
    renderScreen(<ReportsScreen />);
    const row = await screen.findByTestId("report-row");
    expect(within(row).getByText("远航分销")).toBeInTheDocument();
    expect(within(row).getByTestId("report-review")).toHaveTextContent("待审核");
    // Within three days of lapsing: the countdown is shown as urgent.
    expect(within(row).getByTestId("report-validity")).toHaveTextContent("剩 3 天");
    fireEvent.click(within(row).getByTestId("report-reject"));
    const confirm = await waitFor(() => {
      const b = document.getElementById("report-reject-confirm");
      if (!b) throw new Error("the rejection dialog is not open");
      return b;
    });
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByTestId("report-reject-reason"), { target: { value: "客户已由本店接待" } });
    await waitFor(() => expect(confirm).not.toBeDisabled());
    fireEvent.click(confirm);
    await waitFor(() => expect(core.calls.find((c) => c.cmd === "report_review")?.args).toEqual({ id: "L-澄海玩具", verdict: "reject", reason: "客户已由本店接待" }));
    await screen.findByText("已驳回报备：澄海玩具");
  });

  it("a manager accepts with one click", async () => {
    const core = fakeCore({
      session: () => MANAGER,
      report_list: () => ({ items: [report("潮州陶瓷")], pending: 1 }),
      report_review: () => report("潮州陶瓷", { review: "accepted" }),
    });
    renderScreen(<ReportsScreen />);
    fireEvent.click(await screen.findByTestId("report-accept"));
    await waitFor(() => expect(core.calls.find((c) => c.cmd === "report_review")?.args).toEqual({ id: "L-潮州陶瓷", verdict: "accept", reason: null }));
  });

  it("a distributor follows its own reports: review state and the manager's reason, no review buttons", async () => {
    fakeCore({
      session: () => AGENT,
      report_list: () => ({ items: [report("澄海玩具", { review: "rejected", review_reason: "报备不实", valid_until: null })], pending: 0 }),
    });
    renderScreen(<ReportsScreen />);
    await screen.findByText("我的报备");
    const row = await screen.findByTestId("report-row");
    expect(within(row).getByTestId("report-review")).toHaveTextContent("已驳回");
    expect(within(row).getByTestId("report-reason")).toHaveTextContent("理由：报备不实");
    expect(within(row).getByText("已不在您名下")).toBeInTheDocument();
    expect(screen.queryByTestId("report-accept")).toBeNull();
  });
});
