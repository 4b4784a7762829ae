/**
 * The lead form's fields, shared by registration and editing, and how the core's
 * "missing required groups" answer reads in words.
 */
import type { Field } from "../api/generated/Field";
import type { LeadFields } from "../api/generated/LeadFields";
import type { MessageKey, Translate } from "../i18n/translate";

export type FormValues = Required<Pick<LeadFields, "company" | "contact" | "phone" | "email" | "region" | "industry" | "need" | "notes">>;

export const FIELDS: { name: keyof FormValues; label: MessageKey; wide?: boolean; area?: boolean }[] = [
  { name: "company", label: "newLead.company", wide: true },
  { name: "contact", label: "newLead.contact" },
  { name: "phone", label: "newLead.phone" },
  { name: "email", label: "newLead.email" },
  { name: "region", label: "newLead.region" },
  { name: "industry", label: "newLead.industry" },
  { name: "need", label: "newLead.need", wide: true, area: true },
  { name: "notes", label: "newLead.notes", wide: true, area: true },
];

/** The filled-in fields of a form, trimmed. */
export function clean(v: Partial<FormValues>): LeadFields {
  const out: LeadFields = {};
  for (const f of FIELDS) {
    const s = v[f.name]?.trim();
    if (s) out[f.name] = s;
  }
  return out;
}

/** Only what changed: an emptied field is sent as "" (the core clears it). */
export function changedFields(before: LeadFields, v: Partial<FormValues>): LeadFields {
  const out: LeadFields = {};
  for (const f of FIELDS) {
    const now = v[f.name]?.trim() ?? "";
    if (now !== (before[f.name] ?? "")) out[f.name] = now;
  }
  return out;
}

/** "联系人 或 电话、需求" from the core's missing groups. */
export function missingText(t: Translate, missing: Field[][]): string {
  return missing.map((group) => group.map((f) => t(`newLead.${f}` as MessageKey)).join(` ${t("newLead.or")} `)).join("、");
}
