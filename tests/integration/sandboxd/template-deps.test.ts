import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../../src/sandbox/types.ts";
import { DEFAULT_DEPS_ROOT, TemplateDepsStore } from "../../../sandboxd/template-deps.ts";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId } from "../../support/sandboxd.ts";

// The machine-wide store, as sandboxd uses it by default: installed once, then every run mounts it.
const store = new TemplateDepsStore(DEFAULT_DEPS_ROOT, () => {}).locate("vue-vite")!;
let sandboxd: SandboxdProcess;
let first: Workspace;
let second: Workspace;

beforeAll(async () => {
  sandboxd = await startSandboxd({ env: { SANDBOXD_DEPS_WARM: "0" } });
  [first, second] = await Promise.all([sandboxd.client.workspace(uniqueId("deps-a")), sandboxd.client.workspace(uniqueId("deps-b"))]);
}, 60_000);

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

const sh = async (ws: Workspace, command: string) => {
  const result = await ws.exec(command);
  return { code: result.exitCode, out: result.stdout.trim(), err: result.stderr };
};

describe("shared template dependencies", () => {
  it("gives each workspace the template's packages; writes stay in that workspace and never reach the store", async () => {
    expect(await first.provideTemplateDependencies("vue-vite", "app")).toEqual({ provided: true, store: store.hash });
    expect(await second.provideTemplateDependencies("vue-vite", "app")).toEqual({ provided: true, store: store.hash });
    const original = readFileSync(path.join(store.nodeModules, "vue/package.json"), "utf8");
    expect(JSON.parse(original).version).toBe("3.5.45");

    // The first workspace changes, adds and deletes packages, as `npm install` of something else would.
    const write = await sh(
      first,
      "echo changed > app/node_modules/vue/package.json && mkdir app/node_modules/mine && echo 1 > app/node_modules/mine/index.js && rm -rf app/node_modules/vite && echo ok",
    );
    expect(write, write.err).toMatchObject({ code: 0, out: "ok" });
    expect(await sh(first, "cat app/node_modules/vue/package.json; ls app/node_modules/vite 2>&1 >/dev/null | wc -l")).toMatchObject({
      out: "changed\n1",
    });

    // The second sees none of it, and neither does the store.
    const seen = await sh(
      second,
      "head -c 1 app/node_modules/vue/package.json; ls app/node_modules/mine 2>/dev/null | wc -l; ls app/node_modules/vite/package.json",
    );
    expect(seen.out).toBe("{0\napp/node_modules/vite/package.json");
    expect(readFileSync(path.join(store.nodeModules, "vue/package.json"), "utf8")).toBe(original);
  }, 600_000);

  it("installs another package on top of the store with npm, and lets node_modules be emptied and installed again", async () => {
    const files = { "package.json": '{"name":"x","version":"1.0.0","dependencies":{"vue":"3.5.45"}}' };
    for (const [name, content] of Object.entries(files)) await second.writeFile(`app/${name}`, content);
    const env = { npm_config_cache: "/tmp/.npm-cache", npm_config_audit: "false", npm_config_fund: "false" };
    const added = await second.exec(
      "npm install --no-save is-number@7.0.0 && node -e \"require('is-number'); require('vue'); console.log('both')\"",
      {
        cwd: "app",
        env,
        timeoutMs: 300_000,
      },
    );
    expect(added.stdout + added.stderr).toContain("both");
    expect(readFileSync(path.join(store.nodeModules, "vue/package.json"), "utf8")).toContain('"version": "3.5.45"');
    const again = await second.exec(
      "rm -rf node_modules/* node_modules/.[!.]* && npm install --no-audit --no-fund && node -e \"console.log(require('vue/package.json').version)\"",
      {
        cwd: "app",
        env,
        timeoutMs: 300_000,
      },
    );
    expect(again.stdout + again.stderr).toContain("3.5.45");
    expect(readFileSync(path.join(store.nodeModules, "vue/package.json"), "utf8")).toContain('"version": "3.5.45"');
  }, 600_000);

  it("keeps the store out of every sandbox's reach: not at its host path, and the overlay cannot be remounted", async () => {
    const direct = await sh(first, `echo x > ${store.nodeModules}/vue/package.json`);
    expect(direct.code).not.toBe(0);
    const remount = await sh(first, "mount -o remount,rw /workspace/app/node_modules 2>&1; umount /workspace/app/node_modules 2>&1");
    expect(readFileSync(path.join(store.nodeModules, "vue/package.json"), "utf8")).toContain('"version": "3.5.45"');
    expect(await sh(first, "head -c 7 app/node_modules/vue/package.json")).toMatchObject({ out: "changed" });
    expect(remount.out).not.toBe("");
  });

  it("refuses to mount where a symlink leads, and on a node_modules that already has files", async () => {
    await sh(first, "mkdir -p outside && ln -s /tmp escape && ln -s outside inside");
    await expect(first.provideTemplateDependencies("vue-vite", "escape")).rejects.toMatchObject({ status: 403 });
    await expect(first.provideTemplateDependencies("vue-vite", "inside")).rejects.toMatchObject({ status: 400, code: "invalid_path" });
    expect(await sh(first, "ls -A outside/node_modules | wc -l; ls -A /tmp | grep -c node_modules")).toMatchObject({ out: "0\n0" });
    await first.writeFile("full/node_modules/keep.txt", "mine");
    await expect(first.provideTemplateDependencies("vue-vite", "full")).rejects.toMatchObject({ status: 409 });
    expect(await first.readFile("full/node_modules/keep.txt")).toBe("mine");
    await expect(first.provideTemplateDependencies("not-a-template", "x")).resolves.toMatchObject({ provided: false });
  });

  it("lets a project with shared dependencies be deleted, and comes back after a sandboxd restart", async () => {
    await first.deleteFile("app", { recursive: true });
    expect(await first.exists("app")).toEqual({ exists: false });
    expect(readFileSync(path.join(store.nodeModules, "vue/package.json"), "utf8")).toContain('"version": "3.5.45"');

    await sh(second, "echo kept > app/node_modules/mine.txt");
    await sandboxd.stop();
    sandboxd = await startSandboxd({ dataDir: sandboxd.dataDir, env: { SANDBOXD_DEPS_WARM: "0" } });
    second = await sandboxd.client.workspace(second.id);
    expect(await sh(second, "cat app/node_modules/mine.txt; ls app/node_modules/vue/package.json")).toMatchObject({
      out: "kept\napp/node_modules/vue/package.json",
    });
  }, 120_000);
});
