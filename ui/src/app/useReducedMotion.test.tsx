import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { themeFor } from "./theme";
import { useReducedMotion } from "./useReducedMotion";

/** A matchMedia whose "reduce motion" answer the test flips, telling listeners as a browser does. */
function fakeMotionSetting(initial: boolean) {
  let matches = initial;
  const listeners = new Set<() => void>();
  const list = {
    get matches() {
      return matches;
    },
    media: "(prefers-reduced-motion: reduce)",
    addEventListener: (_: string, f: () => void) => listeners.add(f),
    removeEventListener: (_: string, f: () => void) => listeners.delete(f),
  };
  vi.stubGlobal("matchMedia", (q: string) => (q === list.media ? list : { matches: false, addEventListener() {}, removeEventListener() {} }));
  return {
    set(on: boolean) {
      matches = on;
      listeners.forEach((f) => f());
    },
    listeners,
  };
}

describe("reduced motion", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("turns antd's animations off only when the system asks", () => {
    expect(themeFor(true).token?.motion).toBe(false);
    expect(themeFor(false).token?.motion).toBeUndefined();
    expect(themeFor(true).token?.colorPrimary).toBe(themeFor(false).token?.colorPrimary);
  });

  it("follows the system setting live and stops listening when unmounted", () => {
    const setting = fakeMotionSetting(false);
    const { result, unmount } = renderHook(() => useReducedMotion());
    expect(result.current).toBe(false);
    act(() => setting.set(true));
    expect(result.current).toBe(true);
    act(() => setting.set(false));
    expect(result.current).toBe(false);
    unmount();
    expect(setting.listeners.size).toBe(0);
  });
});
