import { describe, expect, it } from "vitest";
import { catalog, interpolate, translator, LOCALES } from "./translate";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("message catalogs", () => {
  const zh = catalog("zh-CN");
  it("every locale has every key, non-empty", () => {
    for (const l of LOCALES) {
      const c = catalog(l);
      expect(Object.keys(c).sort()).toEqual(Object.keys(zh).sort());
      for (const [k, v] of Object.entries(c)) expect(v.trim(), `${l} ${k}`).not.toBe("");
    }
  });
  it("every translation uses the same placeholders as the Chinese reference", () => {
    for (const l of LOCALES) {
      const c = catalog(l);
      for (const k of Object.keys(zh) as (keyof typeof zh)[]) {
        expect(placeholders(c[k]), `${l} ${k}`).toEqual(placeholders(zh[k]));
      }
    }
  });
});

describe("interpolate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(interpolate("{a} and {b}", { a: 1 })).toBe("1 and {b}");
  });
});

describe("translator", () => {
  it("gives the duplicate warning naming the owner in both languages", () => {
    const vars = { owner: "李娜-华南", date: "2026/11/25" };
    expect(translator("zh-CN")("dup.owned", vars)).toBe("该客户正在由【李娜-华南】跟进，保护期至 2026/11/25");
    expect(translator("en-US")("dup.owned", vars)).toContain("【李娜-华南】");
  });
});
