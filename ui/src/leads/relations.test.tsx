import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { I18nProvider } from "../i18n";
import type { Locale } from "../i18n/translate";
import type { RelatedLead } from "../api/generated/RelatedLead";
import { DuplicateWarning, type DuplicateMatch } from "./DuplicateWarning";
import { RelationText } from "./Relations";
import type { LeadLike } from "./types";

const poolLead: LeadLike = {
  id: "L2",
  state: "pool",
  owner_name: null,
  protected_until: null,
  masked: false,
  editable: false,
  claimable: true,
  fields: { company: "王芳家", contact: "王芳", phone: "13900139002" },
};

const family: RelatedLead = {
  kind: "family",
  lead: { id: "L1", company: "张伟家", owner_name: "李娜", protected_until: null },
  held_here: false,
  referrer: null,
  referrer_name: null,
  note: "夫妻",
};

function inLocale(locale: Locale, ui: React.ReactNode) {
  return render(<I18nProvider locale={locale}>{ui}</I18nProvider>);
}

describe("relations (rule 10)", () => {
  it("a duplicate match names the family member's owner (zh-CN)", () => {
    const m: DuplicateMatch = { lead: poolLead, score: 0.99, reasons: [{ kind: "same_phone", zh: "电话相同" }], related: [family] };
    inLocale("zh-CN", <DuplicateWarning matches={[m]} />);
    expect(screen.getByTestId("duplicate-related")).toHaveTextContent("直系亲属【张伟家】正在由【李娜】跟进");
  });

  it("says it in English, and a referral credits its referrer", () => {
    inLocale("en-US", <RelationText r={{ ...family, kind: "referral", lead: null, referrer: "wang", referrer_name: "王强", note: null }} />);
    expect(screen.getByTestId("relation-text")).toHaveTextContent("Referral · referred by 王强");
  });
});
