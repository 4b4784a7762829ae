import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import type { Criterion } from "../api/generated/Criterion";
import { I18nProvider } from "../i18n";
import { ALL_CRITERIA, ArbitrationOrder, move } from "./ArbitrationOrder";

afterEach(cleanup);

function Harness({ onOrder }: { onOrder: (o: Criterion[]) => void }) {
  const [order, setOrder] = useState<Criterion[]>(ALL_CRITERIA);
  return (
    <ArbitrationOrder
      value={order}
      onChange={(o) => {
        setOrder(o);
        onOrder(o);
      }}
    />
  );
}

describe("arbitration order", () => {
  it("moves a criterion and ignores moves past either end", () => {
    expect(move(ALL_CRITERIA, 2, -1).slice(0, 3)).toEqual(["past_deal", "region_match", "recent_followup"]);
    expect(move(ALL_CRITERIA, 0, -1)).toBe(ALL_CRITERIA);
    expect(move(ALL_CRITERIA, 4, 1)).toBe(ALL_CRITERIA);
  });

  it("lists the criteria in priority order in Chinese and reorders them with the buttons", () => {
    let last: Criterion[] = [];
    render(
      <I18nProvider locale="zh-CN">
        <Harness onOrder={(o) => (last = o)} />
      </I18nProvider>,
    );
    const items = screen.getAllByTestId(/^criterion-/);
    expect(items.map((i) => i.getAttribute("data-testid"))).toEqual(ALL_CRITERIA.map((c) => `criterion-${c}`));
    expect(items[0].textContent).toContain("历史成交");
    const up = screen.getAllByRole("button", { name: "上移" });
    expect(up[0]).toBeDisabled();
    fireEvent.click(up[4]);
    expect(last).toEqual(["past_deal", "recent_followup", "region_match", "earlier_window", "completeness"]);
  });

  it("adds the effort criterion (跟进投入) at the end and removes it again", () => {
    let last: Criterion[] = [];
    render(
      <I18nProvider locale="zh-CN">
        <Harness onOrder={(o) => (last = o)} />
      </I18nProvider>,
    );
    fireEvent.click(screen.getByTestId("add-criterion-effort"));
    expect(last.at(-1)).toBe("effort");
    expect(screen.getByTestId("criterion-effort").textContent).toContain("跟进投入");
    expect(screen.queryByTestId("add-criterion-effort")).toBeNull();
    fireEvent.click(screen.getByTestId("remove-criterion-effort"));
    expect(last).toEqual(ALL_CRITERIA);
  });
});
