/**
 * The locale of the UI: zh-CN first, English switchable, remembered per device.
 * `useI18n()` gives components `t` and the locale-aware formatters; components never
 * hold user-visible strings themselves.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import "dayjs/locale/en";
import { DEFAULT_LOCALE, isLocale, translator, type Locale, type Translate } from "./translate";
import * as fmt from "../format";
import { call } from "../api/transport";

const STORAGE_KEY = "leadguard.locale";

export interface I18n {
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: Translate;
  dateTime: (iso: string | Date) => string;
  date: (iso: string | Date) => string;
  number: (n: number) => string;
  percent: (ratio: number, digits?: number) => string;
  duration: (ms: number) => string;
}

const Ctx = createContext<I18n | null>(null);

export function initialLocale(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): Locale {
  const saved = storage?.getItem(STORAGE_KEY);
  return isLocale(saved) ? saved : DEFAULT_LOCALE;
}

export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [locale, setState] = useState<Locale>(() => fixed ?? initialLocale());
  const setLocale = useCallback((l: Locale) => {
    setState(l);
    globalThis.localStorage?.setItem(STORAGE_KEY, l);
    // The desktop shell shows notifications in this language: tell the core. Before
    // set-up there is no registry to keep it in; the default (zh-CN) holds until then.
    call("ui_locale_set", { locale: l }).catch(() => undefined);
  }, []);
  // A choice made before this device had a registry (or by an older version) reaches
  // the core once the app opens again.
  useEffect(() => {
    if (!fixed && locale !== DEFAULT_LOCALE) call("ui_locale_set", { locale }).catch(() => undefined);
    // Once per mount: later switches go through setLocale.
  }, []);
  const value = useMemo<I18n>(() => {
    const t = translator(locale);
    dayjs.locale(locale === "zh-CN" ? "zh-cn" : "en");
    document.documentElement.lang = locale;
    return {
      locale,
      setLocale,
      t,
      dateTime: (iso) => fmt.formatDateTime(iso, locale),
      date: (iso) => fmt.formatDate(iso, locale),
      number: (n) => fmt.formatNumber(n, locale),
      percent: (r, d) => fmt.formatPercent(r, locale, d),
      duration: (ms) => fmt.formatDuration(ms, t),
    };
  }, [locale, setLocale]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}

export type { Locale, MessageKey } from "./translate";
