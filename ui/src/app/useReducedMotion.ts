/**
 * The system's "reduce motion" setting (`prefers-reduced-motion: reduce`): when it is on,
 * the app turns Ant Design's animations off (dialogs, drawers and menus open at once).
 * It follows the setting live, as the operating system changes it.
 */
import { useEffect, useState } from "react";

const QUERY = "(prefers-reduced-motion: reduce)";

function reduced(): boolean {
  return typeof window !== "undefined" && typeof window.matchMedia === "function" && window.matchMedia(QUERY).matches;
}

export function useReducedMotion(): boolean {
  const [on, setOn] = useState(reduced);
  useEffect(() => {
    if (typeof window.matchMedia !== "function") return;
    const list = window.matchMedia(QUERY);
    const changed = () => setOn(list.matches);
    list.addEventListener?.("change", changed);
    return () => list.removeEventListener?.("change", changed);
  }, []);
  return on;
}
