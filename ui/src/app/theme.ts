/** Ant Design theme: a calm enterprise blue and CJK-first fonts. */
import type { ThemeConfig } from "antd";

export const FONT_FAMILY =
  '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Hiragino Sans GB", ' +
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export const theme: ThemeConfig = {
  token: {
    colorPrimary: "#1f5fd6",
    colorInfo: "#1f5fd6",
    borderRadius: 6,
    fontFamily: FONT_FAMILY,
    fontSize: 14,
  },
  components: {
    Layout: { siderBg: "#0f1f3d", headerBg: "#ffffff", bodyBg: "#f3f5f9" },
    Menu: {
      darkItemBg: "#0f1f3d",
      darkSubMenuItemBg: "#0f1f3d",
      darkItemSelectedBg: "#1f5fd6",
    },
    Table: { headerBg: "#f7f8fb" },
  },
};

/** The theme with animations off, for users whose system asks for reduced motion. */
export function themeFor(reducedMotion: boolean): ThemeConfig {
  return reducedMotion ? { ...theme, token: { ...theme.token, motion: false } } : theme;
}
