import { describe, expect, it } from "vitest";
import { parseHash } from "./route";

describe("parseHash", () => {
  it("reads the screen from the hash and defaults to the home screen", () => {
    expect(parseHash("#/pool")).toBe("pool");
    expect(parseHash("#/mine/abc")).toBe("mine");
    expect(parseHash("")).toBe("home");
    expect(parseHash("#/nonsense")).toBe("home");
    expect(parseHash("#/search")).toBe("search");
  });
});
