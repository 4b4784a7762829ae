import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { I18nProvider } from "../i18n";
import { Unavailable } from "./Unavailable";

describe("Unavailable", () => {
  it("says honestly that the feature needs sync, in the current language", () => {
    render(
      <I18nProvider locale="en-US">
        <Unavailable feature="Collisions" reason="sync" />
      </I18nProvider>,
    );
    expect(screen.getByTestId("unavailable")).toHaveTextContent("Available after sync is set up: Collisions");
  });
});
