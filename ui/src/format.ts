/**
 * Dates, numbers and durations in the user's locale (Intl), never hand-formatted.
 * Durations use the message catalog so "3 天 4 小时" and "3 d 4 h" come from one place.
 */
import type { Locale, Translate } from "./i18n/translate";

// Building an Intl formatter costs far more than formatting with one (a search result
// table formats dozens of dates per keystroke): keep one per locale and style.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f as T;
}
const dateTimeFormat = (locale: Locale) =>
  cached(`dt|${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }));
const dateFormat = (locale: Locale) => cached(`d|${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium" }));

/** A date and time, e.g. 2026/11/25 14:30 (zh-CN) or Nov 25, 2026, 2:30 PM (en-US). */
export function formatDateTime(iso: string | Date, locale: Locale): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return dateTimeFormat(locale).format(d);
}

/** A date without time. */
export function formatDate(iso: string | Date, locale: Locale): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return dateFormat(locale).format(d);
}

export function formatNumber(n: number, locale: Locale): string {
  return cached(`n|${locale}`, () => new Intl.NumberFormat(locale)).format(n);
}

/** A ratio 0..1 as a percentage, e.g. 0.873 → 87.3%. */
export function formatPercent(ratio: number, locale: Locale, digits = 1): string {
  return cached(`p|${locale}|${digits}`, () => new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: digits })).format(ratio);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A remaining time, in the two largest units that matter: "2 天 5 小时", "5 小时 12 分钟",
 * "12 分钟". Negative or zero durations are "0 分钟"; callers show "expired" themselves.
 */
export function formatDuration(ms: number, t: Translate): string {
  const total = Math.max(0, ms);
  const d = Math.floor(total / DAY);
  const h = Math.floor((total % DAY) / HOUR);
  const m = Math.floor((total % HOUR) / MINUTE);
  if (d > 0) return h > 0 ? t("duration.daysHours", { d, h }) : t("duration.days", { n: d });
  if (h > 0) return m > 0 ? t("duration.hoursMinutes", { h, m }) : t("duration.hours", { n: h });
  return t("duration.minutes", { n: m });
}

/** Milliseconds from `now` until `iso` (negative when past). */
export function msUntil(iso: string, now: number = Date.now()): number {
  return new Date(iso).getTime() - now;
}

/** What the core shows for free text sealed under a key this device does not hold. */
export const SEALED_TEXT = "（已加密）";

/** Free text as shown: a note or reason sealed under another's key reads "(sealed)" in English. */
export function freeText(text: string, t: Translate): string {
  return text === SEALED_TEXT ? t("text.sealed") : text;
}
