import { describe, expect, it } from "vitest";
import { parseHash } from "./route";

describe("parseHash", () => {
  it("reads the screen from the hash and defaults to search", () => {
    expect(parseHash("#/pool")).toBe("pool");
    expect(parseHash("#/mine/abc")).toBe("mine");
    expect(parseHash("")).toBe("search");
    expect(parseHash("#/nonsense")).toBe("search");
  });
});
