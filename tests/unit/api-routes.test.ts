import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { API_ROUTE_MODULES_FILE, apiRouteModulesSource } from "../../scripts/lib/api-route-modules.ts";
import { ROOT } from "../../scripts/lib/paths.ts";
import { API_ROUTES } from "../../src/lib/api/routes.ts";

const APP_DIR = join(ROOT, "src", "app");
/** The folders under src/app whose route.ts files are API routes: /api/*, the OpenAI-compatible /v1/* and /mcp. */
const API_DIRS = ["api", "v1", "mcp"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Every `METHOD /path` that a route.ts file under src/app/api or src/app/v1 exports, with [param] written as :param. */
function implementedRoutes(): string[] {
  const found: string[] = [];
  const files = API_DIRS.flatMap((top) =>
    readdirSync(join(APP_DIR, top), { recursive: true, encoding: "utf8" }).map((file) => join(top, file)),
  );
  for (const file of files) {
    if (!file.endsWith("route.ts")) continue;
    const source = readFileSync(join(APP_DIR, file), "utf8");
    const dir = relative(APP_DIR, join(APP_DIR, file, ".."));
    const path = `/${dir}`
      .replace(/\/$/, "")
      .replace(/\[\.\.\.(\w+)\]/g, "*")
      .replace(/\[(\w+)\]/g, ":$1");
    for (const method of METHODS) {
      if (new RegExp(`export (const|async function|function) ${method}\\b`).test(source)) found.push(`${method} ${path}`);
    }
  }
  return found.sort();
}

describe("the API route table", () => {
  it("lists exactly the routes that src/app/api implements", () => {
    const table = API_ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(table).toEqual(implementedRoutes());
  });

  it("is served by the Worker's import map of exactly the route files, kept current by the build", () => {
    expect(readFileSync(API_ROUTE_MODULES_FILE, "utf8")).toBe(apiRouteModulesSource());
    const mapped = [...readFileSync(API_ROUTE_MODULES_FILE, "utf8").matchAll(/^ {2}"([^"]+)": \(\) => import\("([^"]+)"\),$/gm)];
    const tablePaths = [...new Set(API_ROUTES.map((r) => r.path))].sort();
    expect(mapped.map(([, path]) => path).sort()).toEqual(tablePaths);
    for (const [, path, file] of mapped) {
      const expected = `../app${path!.replace(/\*/g, "[...all]").replace(/:(\w+)/g, "[$1]")}/route.ts`;
      expect(file).toBe(expected);
    }
  });

  it("has each route documented in docs/api.md", () => {
    const docs = readFileSync(join(ROOT, "docs", "api.md"), "utf8");
    const missing = API_ROUTES.filter((r) => !docs.includes(`\`${r.method} ${r.path}\``)).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });
});
