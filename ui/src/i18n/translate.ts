/**
 * Pure translation: message lookup and `{name}` interpolation, independent of React so
 * it can be unit-tested and used outside components.
 */
import { enUS } from "./en-US";
import { zhCN, type MessageKey } from "./zh-CN";

export type Locale = "zh-CN" | "en-US";
export const LOCALES: readonly Locale[] = ["zh-CN", "en-US"];
export const DEFAULT_LOCALE: Locale = "zh-CN";

const CATALOGS: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhCN, "en-US": enUS };

export type Vars = Record<string, string | number>;
/** Looks up and fills in a message; `locale` says whose catalog (dates in sentences follow it). */
export type Translate = ((key: MessageKey, vars?: Vars) => string) & { locale?: Locale };

/** Replaces `{name}` placeholders; an unknown placeholder is left visible, not dropped. */
export function interpolate(template: string, vars: Vars = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  );
}

export function translator(locale: Locale): Translate {
  const catalog = CATALOGS[locale];
  const t: Translate = (key, vars) => interpolate(catalog[key] ?? zhCN[key] ?? key, vars);
  t.locale = locale;
  return t;
}

export function catalog(locale: Locale): Record<MessageKey, string> {
  return CATALOGS[locale];
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

export type { MessageKey };
