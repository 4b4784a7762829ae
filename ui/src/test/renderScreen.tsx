/** Renders a screen the way the app mounts it: i18n (zh-CN), the session, antd's App. */
import { render } from "@testing-library/react";
import { App as AntApp } from "antd";
import type { ReactNode } from "react";
import { I18nProvider } from "../i18n";
import { SessionProvider } from "../app/session";

export function renderScreen(ui: ReactNode) {
  return render(
    <I18nProvider locale="zh-CN">
      <SessionProvider>
        <AntApp>{ui}</AntApp>
      </SessionProvider>
    </I18nProvider>,
  );
}

/** An empty `lead_list` page. */
export const EMPTY_PAGE = { items: [], total: 0, total_capped: false, offset: 0, limit: 200 };
