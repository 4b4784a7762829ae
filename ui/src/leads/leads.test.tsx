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

  it("names another branch's owner with their branch, and no contact", () => {
    const elsewhere: LeadLike = { ...protectedLead, owner_name: "李娜", owner_branch: "华南", fields: { company: "深圳市腾达科技有限公司" } };
    inLocale("zh-CN", <DuplicateWarning matches={[{ ...match, lead: elsewhere }]} />);
    const w = screen.getByTestId("duplicate-warning");
    expect(w).toHaveTextContent(/该客户正在由【华南·李娜】跟进，保护期至 \S+/);
    expect(w).not.toHaveTextContent("139");
  });

  it("speaks to a rep about their own customer in the second person", () => {
    inLocale("zh-CN", <DuplicateWarning matches={[{ ...match, lead: { ...protectedLead, owner: "lina" } }]} me="lina" />);
    const w = screen.getByTestId("duplicate-warning");
    expect(w).toHaveTextContent("这是您自己的客户，保护期至");
    expect(w).not.toHaveTextContent("【李娜-华南】");
  });

  it("speaks English when asked", () => {
    inLocale("en-US", <DuplicateWarning matches={[match, { ...match, lead: { ...protectedLead, id: "L2" } }]} />);
    const w = screen.getByTestId("duplicate-warning");
    expect(w).toHaveTextContent("This customer is followed by 【李娜-华南】, protected until");
    expect(w).toHaveTextContent("same phone");
  });

  it("lists every likely match grouped by owner, each openable, with why", () => {
    const other: LeadLike = { ...protectedLead, id: "L3", owner_name: "王强-华东", fields: { company: "华强电子科技" } };
    const sameCompany: DuplicateMatch = {
      lead: other,
      score: 0.91,
      reasons: [
        { kind: "same_company_name", zh: "公司名称相同", en: "same company name" },
        { kind: "same_company_other_contact", zh: "同一公司，联系人不同", en: "same company, different contact" },
      ],
    };
    const opened: string[] = [];
    inLocale(
      "zh-CN",
      <DuplicateWarning matches={[match, sameCompany, { ...match, lead: { ...protectedLead, id: "L2" } }]} onOpen={(id) => opened.push(id)} />,
    );
    const groups = screen.getAllByTestId("duplicate-group");
    expect(groups).toHaveLength(2);
    expect(groups[0]).toHaveTextContent("【李娜-华南】");
    expect(groups[0].querySelectorAll("[data-testid=duplicate-match]")).toHaveLength(2);
    expect(groups[1]).toHaveTextContent("【王强-华东】");
    expect(groups[1]).toHaveTextContent("同一公司，联系人不同");
    const open = screen.getAllByTestId("duplicate-open");
    expect(open).toHaveLength(3);
    open[2].click();
    expect(opened).toEqual(["L3"]);
  });

  it("shows possible matches softly, saying what lowered the score", () => {
    const possible: DuplicateMatch = {
      lead: { ...protectedLead, id: "L9", fields: { company: "深圳市华强电子科技有限公司" } },
      score: 0.55,
      likely: false,
      reasons: [{ kind: "same_company_name", zh: "公司名称相同", en: "same company name" }],
      lowered_by: [{ kind: "region_differs", zh: "地区不同", en: "different region" }],
    };
    inLocale("zh-CN", <DuplicateWarning matches={[]} possible={[possible]} />);
    expect(screen.queryByTestId("duplicate-warning")).toBeNull();
    const soft = screen.getByTestId("duplicate-possible");
    expect(soft).toHaveTextContent("可能是同一客户");
    expect(soft).toHaveTextContent("降低相似度：地区不同");
    expect(soft).toHaveTextContent("55%");
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
