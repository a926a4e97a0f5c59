import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TemplateEvent } from "../../../src/lib/templates/apply.ts";
import { applyTemplate, filesForPort } from "../../../src/lib/templates/apply.ts";
import { listTemplates, TEMPLATE_PORT, templateFiles } from "../../../src/lib/templates/catalog.ts";
import type { Workspace } from "../../../src/sandbox/types.ts";
import { bundledSource } from "../../../templates/bundle.ts";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId, waitFor } from "../../support/sandboxd.ts";

const root = path.resolve(import.meta.dirname, "../../..");
let sandboxd: SandboxdProcess;
let ws: Workspace;

beforeAll(async () => {
  sandboxd = await startSandboxd();
  ws = await sandboxd.client.workspace(uniqueId("tmpl"));
});

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

async function collect(events: AsyncIterable<TemplateEvent>): Promise<TemplateEvent[]> {
  const all: TemplateEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe("project templates", () => {
  it("ships the Worker a bundle identical to templates/ (run `node templates/bundle.ts` after editing one)", () => {
    expect(readFileSync(path.join(root, "src/lib/templates/bundled.ts"), "utf8")).toBe(bundledSource());
  });

  it("pins every dependency to an exact version and binds each dev server to 0.0.0.0 on the template port", () => {
    for (const template of listTemplates()) {
      const pkg = JSON.parse(templateFiles(template.name)["package.json"]!) as {
        scripts: Record<string, string>;
        dependencies: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      for (const version of Object.values({ ...pkg.dependencies, ...pkg.devDependencies }))
        expect(version, template.name).toMatch(/^\d+\.\d+\.\d+$/);
      const host = template.name === "nextjs" ? "--hostname 0.0.0.0" : "--host 0.0.0.0";
      expect(pkg.scripts.dev, template.name).toContain(`${host} --port ${TEMPLATE_PORT}`);
    }
    const next = templateFiles("nextjs");
    expect(Object.keys(next).sort()).toEqual([
      ".gitignore",
      "app/layout.jsx",
      "app/page.jsx",
      "next.config.mjs",
      "package-lock.json",
      "package.json",
    ]);
    expect(JSON.parse(next["package.json"]!).dependencies).toMatchObject({
      next: expect.any(String),
      react: expect.any(String),
      "react-dom": expect.any(String),
    });
    // Vite refuses unknown Host headers; a preview has its own host name.
    for (const vite of ["react-vite", "vue-vite"] as const) expect(templateFiles(vite)["vite.config.js"]).toContain("allowedHosts: true");
  });

  it("moves every starter's dev server to another port, in its scripts and Vite's config, when the template port is taken", () => {
    for (const template of listTemplates()) {
      const moved = filesForPort(templateFiles(template.name), TEMPLATE_PORT + 1);
      const pkg = JSON.parse(moved["package.json"]!) as { scripts: Record<string, string> };
      expect(pkg.scripts.dev, template.name).toContain(`--port ${TEMPLATE_PORT + 1}`);
      for (const [path, content] of Object.entries(moved)) expect(content, `${template.name}/${path}`).not.toContain(String(TEMPLATE_PORT));
      if (moved["vite.config.js"]) expect(moved["vite.config.js"]).toContain(`port: ${TEMPLATE_PORT + 1}`);
    }
  });

  it("applies the Vue template for real: copied, packages mounted from the shared store, started, and served through the preview relay", async () => {
    const events = await collect(applyTemplate(ws, "vue-vite", { dir: "shop", previewSite: { appOrigin: "http://127.0.0.1:8787" } }));
    const steps = events.filter((e) => e.type === "step").map((e) => e.type === "step" && `${e.step}:${e.status}`);
    expect(steps, JSON.stringify(events).slice(-3000)).toEqual([
      "copy:started",
      "copy:done",
      "install:started",
      "install:done",
      "start:started",
      "start:done",
    ]);
    // No download: the packages come from the machine's store for this lockfile.
    expect(events).toContainEqual(
      expect.objectContaining({ step: "install", status: "done", message: expect.stringContaining("shared store") }),
    );
    const ready = events.at(-1)!;
    if (ready.type !== "ready") throw new Error("not ready");
    expect(ready).toMatchObject({ template: "vue-vite", dir: "shop", port: TEMPLATE_PORT });
    expect(ready.url).toMatch(new RegExp(`^http://${TEMPLATE_PORT}-${ws.id}-[a-z0-9]{24}\\.localhost:8787/$`));
    const token = new URL(ready.url!).hostname.split(".")[0]!.split("-").pop()!;
    const fetchPreview = (p: string) =>
      sandboxd.client.previewFetch(new Request(`${ready.url}${p.slice(1)}`), { port: TEMPLATE_PORT, sandboxId: ws.id, token });
    // Vite may restart once right after it first listens (dependency pre-bundling on a busy machine): the page must
    // come within a few seconds, and then stay.
    const page = await waitFor(async () => {
      const answer = await fetchPreview("/");
      if (answer.status === 200) return answer;
      await answer.body?.cancel();
      return null;
    }, 20_000);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"></div>');
    const component = await fetchPreview("/src/App.vue");
    expect(await component.text()).toContain("Hello from Vue");
    await ws.stopProcess(ready.processId);
  }, 240_000);

  it("refuses to apply a template over a directory that has files", async () => {
    await ws.writeFile("taken/keep.txt", "mine");
    const events = applyTemplate(ws, "react-vite", { dir: "taken", previewSite: { appOrigin: "http://127.0.0.1:8787" } });
    await expect(collect(events)).rejects.toMatchObject({ code: "conflict" });
    expect(await ws.readFile("taken/keep.txt")).toBe("mine");
  });
});
