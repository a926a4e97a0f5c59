import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, ROOT } from "../../scripts/lib/paths.ts";

describe("the project", () => {
  it("type-checks as a whole (app, Worker, sandboxd, scripts, tests) under strict TypeScript", () => {
    const result = spawnSync(join(BIN, "tsc"), ["--noEmit", "-p", "tsconfig.json"], { cwd: ROOT, encoding: "utf8" });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  }, 300_000);
});
