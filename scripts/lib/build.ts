import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { writeApiRouteModules } from "./api-route-modules.ts";
import { BIN, ROOT, toolEnv } from "./paths.ts";
import { createSnapshot, snapshotConfigPath } from "./test-bundle.ts";

const INPUTS = [
  "src",
  "public",
  "worker.ts",
  "next.config.ts",
  "open-next.config.ts",
  "postcss.config.mjs",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.next.json",
];
const STAMP = join(ROOT, ".open-next", ".build-inputs");

function* files(path: string): Generator<string> {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) yield* files(join(path, entry));
  } else {
    yield path;
  }
}

/** A hash of everything the OpenNext build reads, to skip a build when nothing changed. */
export function buildInputsHash(): string {
  const hash = createHash("sha256");
  for (const input of INPUTS) {
    for (const file of files(join(ROOT, input))) {
      hash.update(relative(ROOT, file));
      hash.update(readFileSync(file));
    }
  }
  return hash.digest("hex");
}

export function isBuildFresh(): boolean {
  return existsSync(join(ROOT, ".open-next", "worker.js")) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === buildInputsHash();
}

const LOCK = join(ROOT, ".open-next.lock");

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the build lock of this checkout, waiting for another holder; a dead holder's lock is taken over. */
function acquireBuildLock(): void {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      return;
    } catch {
      const holder = Number(existsSync(join(LOCK, "pid")) ? readFileSync(join(LOCK, "pid"), "utf8") : 0);
      if (holder && !processAlive(holder)) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`Another build has held ${LOCK} for 10 minutes`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

function releaseBuildLock(): void {
  rmSync(LOCK, { recursive: true, force: true });
}

/** Holds the lock while `fn` runs, so two builds in one checkout (parallel test runs) never overlap. */
function withBuildLock(fn: () => void): void {
  acquireBuildLock();
  try {
    fn();
  } finally {
    releaseBuildLock();
  }
}

/** Runs the OpenNext build (which runs `next build`) unless its inputs are unchanged since the last build. */
export function buildIfNeeded({ force = false } = {}): void {
  withBuildLock(() => build(force));
}

/**
 * Builds if needed and returns the wrangler config of a frozen snapshot of that build (see test-bundle.ts), so the
 * Worker under test is exactly the current sources, whatever is rebuilt or edited while it runs.
 */
export async function testWorkerConfig(): Promise<string> {
  for (;;) {
    buildIfNeeded();
    const hash = buildInputsHash();
    if (existsSync(snapshotConfigPath(hash))) return snapshotConfigPath(hash);
    acquireBuildLock();
    try {
      // Only snapshot a build that matches the sources right now; otherwise build again first.
      if (isBuildFresh() && buildInputsHash() === hash) return await createSnapshot(hash);
    } finally {
      releaseBuildLock();
    }
  }
}

function build(force: boolean): void {
  // The Worker's API router imports every route module through this generated map; a new route file joins it here.
  if (writeApiRouteModules()) console.log("build: updated src/worker/api-route-modules.ts from the route files");
  if (!force && isBuildFresh()) {
    console.log("build: up to date");
    return;
  }
  const hash = buildInputsHash();
  console.log("build: building the Worker (Next.js + OpenNext), this takes about half a minute...");
  const result = spawnSync(join(BIN, "opennextjs-cloudflare"), ["build"], { cwd: ROOT, stdio: "inherit", env: toolEnv() });
  if (result.status !== 0) throw new Error(`The build failed (exit ${result.status})`);
  writeFileSync(STAMP, hash);
}
