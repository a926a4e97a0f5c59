// The shared dependency store: each template's packages installed once per machine, from its committed lockfile,
// into <root>/<hash of the lockfile>/node_modules. Workspaces see a store only as the read-only lower layer of an
// overlay (./deps-mounts.ts), so nothing in it is user-specific and no sandbox can change it.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { TEMPLATE_FILES } from "../src/lib/templates/bundled.ts";

/** Machine-wide by default, so every sandboxd (and every test run's data dir) shares one install per lockfile. */
export const DEFAULT_DEPS_ROOT = "/var/lib/netm8/template-deps";
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const NPM = "/usr/bin/npm";

export type TemplateStore = { template: string; hash: string; nodeModules: string };

/** The template's lockfile, which decides what its store holds; null for a name that is not a template with one. */
export function templateLockfile(template: string): { packageJson: string; lockfile: string } | null {
  const files = Object.hasOwn(TEMPLATE_FILES, template) ? TEMPLATE_FILES[template] : undefined;
  const packageJson = files?.["package.json"];
  const lockfile = files?.["package-lock.json"];
  return packageJson && lockfile ? { packageJson, lockfile } : null;
}

export class TemplateDepsStore {
  readonly root: string;
  readonly #log: (message: string) => void;
  readonly #installing = new Map<string, Promise<TemplateStore>>();

  constructor(root: string, log: (message: string) => void) {
    // The path becomes part of overlay mount options, where ',' ':' and '\' have meanings of their own.
    if (!path.isAbsolute(root) || /[,:\\\s]/.test(root)) throw new Error(`the dependency store path must be absolute and plain: ${root}`);
    this.root = root;
    this.#log = log;
  }

  /** Where the template's store is (or will be), without installing it. */
  locate(template: string): TemplateStore | null {
    const source = templateLockfile(template);
    if (!source) return null;
    const hash = createHash("sha256")
      .update(source.packageJson)
      .update("\0")
      .update(source.lockfile)
      .update(`\0${process.platform}-${process.arch}`)
      .digest("hex")
      .slice(0, 24);
    return { template, hash, nodeModules: path.join(this.root, hash, "node_modules") };
  }

  /** The template's store, installed first if this machine has none yet; callers at the same time share one install. */
  ensure(template: string): Promise<TemplateStore> {
    const store = this.locate(template);
    if (!store) return Promise.reject(new Error(`no dependency store for template ${template}`));
    if (existsSync(store.nodeModules)) return Promise.resolve(store);
    let pending = this.#installing.get(store.hash);
    if (!pending) {
      pending = this.#install(store).finally(() => this.#installing.delete(store.hash));
      this.#installing.set(store.hash, pending);
    }
    return pending;
  }

  /** Installs every template's store in the background, one at a time, so the first apply finds it ready. */
  warm(templates: readonly string[]): void {
    void (async () => {
      for (const template of templates) {
        if (!this.locate(template)) continue;
        await this.ensure(template).catch((error) => this.#log(`template ${template}: ${(error as Error).message}`));
      }
    })();
  }

  async #install(store: TemplateStore): Promise<TemplateStore> {
    // Only root reaches the store: sandboxes see it through overlays, other host users not at all.
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    chmodSync(this.root, 0o700);
    // Other sandboxd on this machine (test runs, benches) may need the same store now: one installs, the rest wait.
    const lock = path.join(this.root, `.lock-${store.hash}`);
    const deadline = Date.now() + INSTALL_TIMEOUT_MS;
    while (!takeLock(lock)) {
      if (existsSync(store.nodeModules)) return store;
      if (Date.now() > deadline) throw new Error(`another process has been installing the ${store.template} store for too long`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    try {
      return existsSync(store.nodeModules) ? store : await this.#installLocked(store);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }

  async #installLocked(store: TemplateStore): Promise<TemplateStore> {
    const source = templateLockfile(store.template)!;
    // What an install that was killed half-way left (we hold the lock: nobody is writing there now).
    for (const name of readdirSync(this.root)) {
      if (name.startsWith(`.staging-${store.hash}-`)) rmSync(path.join(this.root, name), { recursive: true, force: true });
    }
    const staging = path.join(this.root, `.staging-${store.hash}-${randomBytes(4).toString("hex")}`);
    mkdirSync(staging, { mode: 0o700 });
    const started = performance.now();
    try {
      writeFileSync(path.join(staging, "package.json"), source.packageJson);
      writeFileSync(path.join(staging, "package-lock.json"), source.lockfile);
      // `npm ci` installs exactly the lockfile and checks every package against its integrity hash; no install
      // scripts run as root (the templates' packages ship prebuilt binaries as optional dependencies).
      await run(NPM, ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", path.join(this.root, ".npm-cache")], staging);
      // World-writable inside a root-only directory: an overlay checks a write against the lower file's mode and then
      // copies the file up into the workspace, so the workspace user can change or delete any package there, while
      // the store itself stays untouched.
      await run("/bin/chmod", ["-R", "a+rwX", "node_modules"], staging);
      const final = path.join(this.root, store.hash);
      try {
        renameSync(staging, final);
      } catch (error) {
        // Another sandboxd finished the same install first: its store is identical (same lockfile, same hashes).
        if (!existsSync(store.nodeModules)) throw error;
        rmSync(staging, { recursive: true, force: true });
      }
      this.#log(`template ${store.template}: dependency store ${store.hash} installed in ${Math.round(performance.now() - started)} ms`);
      return store;
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  }
}

/** A directory as a lock (mkdir is atomic), naming its holder; a lock whose holder is gone is taken over. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock, { mode: 0o700 });
  } catch {
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(path.join(lock, "pid"), "utf8"));
    } catch {}
    // A holder writes its pid right after making the lock; one without a pid for long died in between.
    const unnamed = !Number.isInteger(holder) || holder <= 0;
    if (unnamed && Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 10_000) return false;
    if (!unnamed && (holder === process.pid || isAlive(holder))) return false;
    rmSync(lock, { recursive: true, force: true });
    return takeLock(lock);
  }
  writeFileSync(path.join(lock, "pid"), String(process.pid));
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function run(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
      timeout: INSTALL_TIMEOUT_MS,
      // Next.js's types make NODE_ENV a required key of every ProcessEnv; npm does not need it.
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: cwd, npm_config_update_notifier: "false" } as unknown as NodeJS.ProcessEnv,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${file} ${args.join(" ")} failed (${signal ?? code}): ${stderr.trim()}`)),
    );
  });
}
