import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { fakeCore } from "../test/fakeCore";
import { QueryProvider } from "./QueryProvider";
import { useCommand, useWrite } from "./useCommand";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function Pool() {
  const list = useCommand("lead_list", { filter: "pool", limit: 10 });
  const claim = useWrite("lead_claim");
  return (
    <div>
      <span data-testid="total">{String(list.data?.total ?? "…")}</span>
      <button onClick={() => void claim.mutateAsync({ id: "L1" })}>claim</button>
    </div>
  );
}

const page = (total: number) => ({ items: [], total, total_capped: false, offset: 0, limit: 10 });

describe("data loading", () => {
  it("a write invalidates what is shown: the list is read again with its new answer", async () => {
    let total = 2;
    const { calls } = fakeCore({
      lead_list: () => page(total),
      lead_claim: () => {
        total = 1;
        return {};
      },
    });
    render(
      <QueryProvider>
        <Pool />
      </QueryProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("total").textContent).toBe("2"));
    fireEvent.click(screen.getByText("claim"));
    await waitFor(() => expect(screen.getByTestId("total").textContent).toBe("1"));
    expect(calls.filter((c) => c.cmd === "lead_list")).toHaveLength(2);
  });

  it("two screens asking the same command with the same arguments share one call", async () => {
    const { calls } = fakeCore({ lead_list: () => page(5) });
    render(
      <QueryProvider>
        <Pool />
        <Pool />
      </QueryProvider>,
    );
    await waitFor(() => expect(screen.getAllByTestId("total").map((e) => e.textContent)).toEqual(["5", "5"]));
    expect(calls.filter((c) => c.cmd === "lead_list")).toHaveLength(1);
  });
});
