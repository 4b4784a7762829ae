// Shared set-up for vitest: DOM matchers and the browser APIs antd expects that jsdom lacks.
import "@testing-library/jest-dom/vitest";
import { configure } from "@testing-library/react";

if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// jsdom does not implement pseudo-element styles; antd's Table asks for them when it
// measures the scrollbar. Answer with the element's own style instead of logging errors.
const getComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (elt: Element) => getComputedStyle(elt);

// findBy*/waitFor: allow for slow jsdom rendering (not a timing assertion).
configure({ asyncUtilTimeout: 5_000 });
