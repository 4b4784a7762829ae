/**
 * Turns a failed call into words for the user: from the core's typed reason and its
 * params when it gave one (catalog `reason.*`), else from the stable error code.
 * Reasons that concern one form field say which, so forms show the sentence beside it.
 */
import type { FormField } from "../api/generated/FormField";
import { REASONS, type ReasonName } from "../api/generated/reasons";
import { CommandError, toCommandError } from "../api/transport";
import { formatDateTime, formatNumber } from "../format";
import { catalog, DEFAULT_LOCALE, type MessageKey, type Translate, type Vars } from "../i18n/translate";

function asCommandError(err: unknown): CommandError {
  return err instanceof CommandError ? err : toCommandError("?", err);
}

/** A reason's params in words: dates in the UI's style, fields, kinds and roles from the catalog. */
function words(t: Translate, reason: ReasonName, params: Record<string, unknown>): Vars {
  const locale = t.locale ?? DEFAULT_LOCALE;
  const out: Vars = {};
  for (const [name, kind] of Object.entries(REASONS[reason])) {
    const v = params[name];
    if (v === undefined || v === null) continue;
    switch (kind) {
      case "date":
        out[name] = formatDateTime(String(v), locale);
        break;
      case "number":
        out[name] = typeof v === "number" ? formatNumber(v, locale) : String(v);
        break;
      case "field":
        out[name] = t(`formField.${String(v)}` as MessageKey);
        break;
      case "object":
        out[name] = t(`objectKind.${String(v)}` as MessageKey);
        break;
      case "roles":
        out[name] = (Array.isArray(v) ? v : [v]).map((r) => t(`session.role.${String(r)}` as MessageKey)).join(" / ");
        break;
      default:
        out[name] = String(v);
    }
  }
  return out;
}

/** The sentence for a reason and its params. */
export function reasonText(t: Translate, reason: ReasonName, params: Record<string, unknown>): string {
  return t(`reason.${reason}` as MessageKey, words(t, reason, params));
}

export function errorText(t: Translate, err: unknown): string {
  const e = asCommandError(err);
  if (e.reason && `reason.${e.reason}` in catalog(DEFAULT_LOCALE)) return reasonText(t, e.reason, e.params);
  const key = `error.${e.code}`;
  // A code newer than this UI's catalog still gets a sentence, with its message.
  const known = key in catalog(DEFAULT_LOCALE) ? (key as MessageKey) : "error.internal";
  return t(known, { message: e.message });
}

/** Reasons about one field that do not name it in their params. */
const FIELD_OF: Partial<Record<ReasonName, FormField>> = {
  phone_digest: "phone",
  phone_character: "phone",
  phone_too_short: "phone",
  email_invalid: "email",
  split_two_reps: "shares",
  share_range: "shares",
  split_total: "shares",
  rep_cannot_own: "owner",
  lead_not_in_case: "into",
  decision_not_in_case: "supersedes",
  conflict_needs_supersedes: "supersedes",
};

/** The form field a failed call is about, if any. */
export function errorField(err: unknown): FormField | undefined {
  const e = asCommandError(err);
  if (!e.reason) return undefined;
  const named = e.params.field;
  return typeof named === "string" ? (named as FormField) : FIELD_OF[e.reason];
}

/**
 * A failure placed on a form: `field` when the reason concerns one of `fields` (show the
 * text beside it), otherwise only `text` (show it above the form's buttons).
 */
export function formError<F extends string>(
  t: Translate,
  err: unknown,
  fields: readonly F[],
): { field?: F; text: string } {
  const field = errorField(err);
  const text = errorText(t, err);
  return field && (fields as readonly string[]).includes(field) ? { field: field as F, text } : { text };
}
