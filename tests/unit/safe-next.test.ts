import { describe, expect, it } from "vitest";
import { safeNext } from "../../src/components/auth/validation.ts";

describe("the target after sign-in", () => {
  it("keeps a path of this site with its query and fragment", () => {
    expect(safeNext("/agents/a1/threads/t1?x=1#end")).toBe("/agents/a1/threads/t1?x=1#end");
    expect(safeNext("/team/invite/abc")).toBe("/team/invite/abc");
  });

  it("falls back for anything that could leave the site", () => {
    for (const next of [
      "/\t/evil.test",
      "/\n/evil.test",
      "/\r/evil.test",
      "//evil.test",
      "/\\evil.test",
      "https://evil.test",
      "javascript:alert(1)",
      "",
      null,
      undefined,
    ]) {
      expect(safeNext(next), JSON.stringify(next)).toBe("/agents");
    }
    expect(safeNext("//evil.test", "/settings")).toBe("/settings");
  });
});
