import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BIN, ROOT, toolEnv } from "../../scripts/lib/paths.ts";

/** Runs one read-only SQL statement against a test Worker's local D1 (its --persist-to directory) and returns the rows. */
export function queryLocalD1<Row = Record<string, unknown>>(persistTo: string, sql: string): Row[] {
  const result = spawnSync(
    join(BIN, "wrangler"),
    ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql],
    {
      cwd: ROOT,
      env: toolEnv({ CI: "true" }),
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`wrangler d1 execute failed:\n${result.stdout}\n${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { results: Row[] }[];
  return parsed[0]?.results ?? [];
}
