import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { BIN, ROOT, toolEnv } from "./paths.ts";

const INPUTS = ["src", "public", "worker.ts", "next.config.ts", "open-next.config.ts", "postcss.config.mjs", "package-lock.json", "tsconfig.json", "tsconfig.next.json"];
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

/** Runs the OpenNext build (which runs `next build`) unless its inputs are unchanged since the last build. */
export function buildIfNeeded({ force = false } = {}): void {
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
