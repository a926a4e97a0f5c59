import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../scripts/lib/paths.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

/*
 * The test hooks (/api/test/*) and development hooks (/api/dev/*) ship in the production bundle, guarded only by
 * ENVIRONMENT. Every route file under those folders, with every method it exports, is called on a Worker configured
 * for production (404 expected) and on the test suite's Worker (anything but 404, so the sweep hits real routes).
 */

const API_DIR = join(ROOT, "src", "app", "api");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** `METHOD /api/...` for each method a route.ts under src/app/api/<folder> exports; [param] becomes a made-up value. */
function hookRoutes(folder: string): { method: string; path: string }[] {
  const dir = join(API_DIR, folder);
  const routes: { method: string; path: string }[] = [];
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith("route.ts")) continue;
    const source = readFileSync(join(dir, file), "utf8");
    const path = `/api/${relative(API_DIR, join(dir, file, ".."))}`
      .replace(/\[\.\.\.(\w+)\]/g, "any/thing")
      .replace(/\[(\w+)\]/g, "sweep-$1");
    for (const method of METHODS) {
      const exported = new RegExp(`export (const|async function|function) ${method}\\b|\\bas ${method}\\b`).test(source);
      if (exported) routes.push({ method, path });
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

const routes = [...hookRoutes("test"), ...hookRoutes("dev")];

/** A body the route would reject if it got past its guard (400), so a missing guard cannot pass as 404. */
function call(base: string, route: { method: string; path: string }): Promise<Response> {
  const withBody = !["GET", "HEAD", "DELETE", "OPTIONS"].includes(route.method);
  return fetch(`${base}${route.path}`, {
    method: route.method,
    headers: { "content-type": "application/json", origin: base },
    ...(withBody && { body: "{}" }),
  });
}

describe("test and development hooks on a production Worker", () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startTestWorker({ vars: { ENVIRONMENT: "production", BETTER_AUTH_SECRET: `prod-test-${crypto.randomUUID()}` } });
  });
  afterAll(() => worker?.dispose());

  it("finds the hook routes on disk, each test hook also in the route table", async () => {
    const { API_ROUTES } = await import("../../src/lib/api/routes.ts");
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain("POST /api/test/ledger");
    expect(paths).toContain("POST /api/test/accounts");
    const tableTestHooks = API_ROUTES.filter((r) => r.access === "test").map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(expect.arrayContaining(tableTestHooks));
  });

  it("answers 404 to every method of every /api/test/* and /api/dev/* route", async () => {
    const answers: string[] = [];
    for (const route of routes) {
      const response = await call(worker.url, route);
      answers.push(`${route.method} ${route.path} -> ${response.status}`);
      await response.body?.cancel();
    }
    expect(answers).toEqual(routes.map((r) => `${r.method} ${r.path} -> 404`));
  });

  it("answers them on the test suite's Worker, so the sweep above calls routes that exist", async () => {
    const base = inject("workerUrl");
    const answers: string[] = [];
    for (const route of routes) {
      const response = await call(base, route);
      answers.push(`${route.method} ${route.path} -> ${response.status === 404 ? "404" : "answered"}`);
      await response.body?.cancel();
    }
    expect(answers).toEqual(routes.map((r) => `${r.method} ${r.path} -> answered`));
  });
});
