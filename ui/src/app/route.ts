/**
 * Screen routing by URL hash (`#/search`): works the same in the Tauri webview and in a
 * browser, needs no server-side routes, and survives a reload.
 */
import { useEffect, useState } from "react";

export const SCREENS = ["home", "search", "new", "mine", "pool", "import", "reports", "team", "collisions", "sync", "metrics", "settings", "frontdesk"] as const;
export type Screen = (typeof SCREENS)[number];
export const DEFAULT_SCREEN: Screen = "home";

export function parseHash(hash: string): Screen {
  const name = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : DEFAULT_SCREEN;
}

export function useRoute(): [Screen, (s: Screen) => void] {
  const [screen, setScreen] = useState<Screen>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setScreen(parseHash(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const go = (s: Screen) => {
    window.location.hash = `/${s}`;
    setScreen(s);
  };
  return [screen, go];
}
