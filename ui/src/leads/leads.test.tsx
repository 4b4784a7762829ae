import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { I18nProvider } from "../i18n";
import type { Locale } from "../i18n/translate";
import { DuplicateWarning, type DuplicateMatch } from "./DuplicateWarning";
import { LeadTable } from "./LeadTable";
import type { LeadLike } from "./types";

const inTwoDays = new Date(Date.now() + 2 * 24 * 3_600_000 + 60_000).toISOString();

const protectedLead: LeadLike = {
  id: "L1",
  state: "protected",
  owner_name: "李娜-华南",
  protected_until: inTwoDays,
  masked: true,
  editable: false,
  claimable: false,
  fields: { company: "深圳市腾达科技有限公司", contact: "王**", phone: "139****3333", region: "华南" },
};

function inLocale(locale: Locale, ui: React.ReactNode) {
  return render(<I18nProvider locale={locale}>{ui}</I18nProvider>);
}

describe("DuplicateWarning", () => {
  const match: DuplicateMatch = { lead: protectedLead, score: 0.93, reasons: [{ kind: "same_phone", zh: "电话相同", en: "same phone" }] };

  it("names the owner and the protection end (zh-CN)", () => {
    inLocale("zh-CN", <DuplicateWarning matches={[match]} />);
    const w = screen.getByTestId("duplicate-warning");
    expect(w).toHaveTextContent(/该客户正在由【李娜-华南】跟进，保护期至 .*2026|该客户正在由【李娜-华南】跟进，保护期至 \S+/);
    expect(w).toHaveTextContent("电话相同");
    expect(w).toHaveTextContent("93%");
  });

  it("speaks English when asked", () => {
    inLocale("en-US", <DuplicateWarning matches={[match, { ...match, lead: { ...protectedLead, id: "L2" } }]} />);
    const w = screen.getByTestId("duplicate-warning");
    expect(w).toHaveTextContent("This customer is followed by 【李娜-华南】, protected until");
    expect(w).toHaveTextContent("same phone");
    expect(w).toHaveTextContent("1 more similar customers");
  });

  it("offers a pool customer for claiming instead of naming an owner", () => {
    inLocale("zh-CN", <DuplicateWarning matches={[{ ...match, lead: { ...protectedLead, state: "pool", owner_name: null } }]} />);
    expect(screen.getByTestId("duplicate-warning")).toHaveTextContent("该客户在公海中，可直接认领");
  });

  it("renders nothing without matches", () => {
    const { container } = inLocale("zh-CN", <DuplicateWarning matches={[]} />);
    expect(container).toBeEmptyDOMElement();
  });
});

describe("LeadTable", () => {
  it("shows others' customers masked, with owner, state and countdown", () => {
    inLocale("zh-CN", <LeadTable leads={[protectedLead]} empty="none" />);
    expect(screen.getByText("深圳市腾达科技有限公司")).toBeInTheDocument();
    expect(screen.getByText(/139\*\*\*\*3333/).closest(".lg-masked")).not.toBeNull();
    expect(screen.getByText("李娜-华南")).toBeInTheDocument();
    expect(screen.getByTestId("state-protected")).toHaveTextContent("保护中");
    expect(screen.getByTestId("countdown")).toHaveTextContent("剩余 2 天");
  });

  it("shows the empty state", () => {
    inLocale("en-US", <LeadTable leads={[]} empty="Nothing here" />);
    expect(screen.getByText("Nothing here")).toBeInTheDocument();
  });
});
