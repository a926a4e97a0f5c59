import type { Workspace } from "../../sandbox/types.ts";
import { Conflict } from "../errors.ts";
import { portPreview } from "../previews/ports.ts";
import type { PreviewSite } from "../previews/url.ts";
import { DEV_COMMAND, INSTALL_COMMAND, TEMPLATE_PORT, templateFiles, templateInfo, type TemplateName } from "./catalog.ts";

/** The ports a template's dev server may take: its own first, then the next free one (another app may hold it). */
export const TEMPLATE_PORTS = Array.from({ length: 20 }, (_, i) => TEMPLATE_PORT + i);

export type TemplateStep = "copy" | "install" | "start";

/** Progress of applying a template, in order; a failed step is the last event. */
export type TemplateEvent =
  | {
      type: "step";
      step: TemplateStep;
      status: "started" | "done" | "failed";
      message?: string;
      files?: number;
      exitCode?: number;
      processId?: string;
    }
  | { type: "output"; step: TemplateStep; data: string }
  | { type: "ready"; template: TemplateName; dir: string; port: number; url: string | null; processId: string };

export type ApplyOptions = {
  /** Directory in the workspace (default: the template's name); it must not exist or be empty. */
  dir?: string;
  /** Delete what is in `dir` first (for retrying a failed apply into the same directory). */
  replace?: boolean;
  /** Where the app's previews are, for the preview URL; without it the backend's own (APP_URL) is used. */
  previewSite?: PreviewSite;
  signal?: AbortSignal;
  /** How long the dev server may take to listen. */
  startTimeoutMs?: number;
};

const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** npm's cache lives in the sandbox's /tmp, not in the user's files; no update or funding notices. */
const NPM_ENV = {
  npm_config_cache: "/tmp/.npm-cache",
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};

const listening = (port: number | string) =>
  `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null || (exec 3<>/dev/tcp/::1/${port}) 2>/dev/null`;

/** The first of TEMPLATE_PORTS nothing in the workspace listens on, or null when all are taken. */
async function freePort(workspace: Workspace): Promise<number | null> {
  const script = `for p in ${TEMPLATE_PORTS.join(" ")}; do ${listening("$p")} || { echo $p; exit 0; }; done; exit 1`;
  const result = await workspace.exec(script);
  const port = Number(result.stdout.trim());
  return result.exitCode === 0 && TEMPLATE_PORTS.includes(port) ? port : null;
}

/** The starter's files with its dev server moved from TEMPLATE_PORT to `port` (scripts and Vite's config). */
export function filesForPort(files: Record<string, string>, port: number): Record<string, string> {
  if (port === TEMPLATE_PORT) return files;
  const moved = new RegExp(`(--port |port: )${TEMPLATE_PORT}\\b`, "g");
  return Object.fromEntries(
    Object.entries(files).map(([path, content]) => [
      path,
      path === "package.json" || /^vite\.config\.[cm]?[jt]s$/.test(path) ? content.replace(moved, `$1${port}`) : content,
    ]),
  );
}

/** Copies a starter into the workspace, installs its packages, starts its dev server and exposes its port. */
export async function* applyTemplate(workspace: Workspace, name: string, options: ApplyOptions): AsyncGenerator<TemplateEvent> {
  const template = templateInfo(name);
  const dir = (options.dir ?? template.name).replace(/\/+$/, "") || ".";

  yield { type: "step", step: "copy", status: "started" };
  const existing = await workspace.exists(dir);
  if (existing.exists && options.replace && dir !== ".") {
    await workspace.deleteFile(dir, { recursive: true });
  } else if (existing.exists && (existing.type !== "directory" || (await workspace.listFiles(dir)).length > 0)) {
    throw new Conflict(`${dir} already exists in the workspace and is not empty: choose another directory, or delete it and try again`);
  }
  const port = await freePort(workspace);
  if (port === null) {
    const [first, last] = [TEMPLATE_PORTS[0], TEMPLATE_PORTS.at(-1)];
    throw new Conflict(`ports ${first} to ${last} are all in use in the workspace; stop one of those servers and try again`);
  }
  const files = filesForPort(templateFiles(template.name), port);
  for (const [path, content] of Object.entries(files)) await workspace.writeFile(dir === "." ? path : `${dir}/${path}`, content);
  yield { type: "step", step: "copy", status: "done", files: Object.keys(files).length };

  // Where the backend keeps the template's packages ready (the local shared store), they are mounted, not downloaded.
  const deps = await workspace.provideTemplateDependencies(template.name, dir);
  if (deps.provided) {
    yield { type: "step", step: "install", status: "started", message: "shared dependency store" };
    yield { type: "step", step: "install", status: "done", exitCode: 0, message: `packages from the shared store ${deps.store}` };
  } else {
    const failed = yield* install(workspace, dir, deps.npmCache, options.signal);
    if (failed) return;
  }

  yield { type: "step", step: "start", status: "started", message: DEV_COMMAND };
  // Something may have taken the port during the install.
  if ((await workspace.exec(listening(port))).exitCode === 0) {
    yield {
      type: "step",
      step: "start",
      status: "failed",
      message: `port ${port} was taken in the workspace during the install; try again to pick another one`,
    };
    return;
  }
  const exposed = await workspace.exposePort(port);
  const process = await workspace.startProcess(DEV_COMMAND, { cwd: dir });
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  while (true) {
    const probe = await workspace.exec(`for i in $(seq 1 20); do ${listening(port)} && exit 0; sleep 0.1; done; exit 1`);
    if (probe.exitCode === 0) break;
    const state = await workspace.getProcess(process.id);
    if (state.status === "exited" || Date.now() > deadline || options.signal?.aborted) {
      let logs = "";
      for await (const chunk of workspace.processLogs(process.id)) logs += chunk;
      if (logs) yield { type: "output", step: "start", data: logs.slice(-8000) };
      if (state.status !== "exited") await workspace.stopProcess(process.id).catch(() => {});
      const why =
        state.status === "exited"
          ? `the dev server exited (${state.reason ?? "exited"})`
          : `the dev server did not listen on port ${port} in time`;
      yield { type: "step", step: "start", status: "failed", processId: process.id, message: why };
      return;
    }
  }
  yield { type: "step", step: "start", status: "done", processId: process.id };
  const url = options.previewSite ? portPreview(workspace, exposed, options.previewSite).url : (exposed.url ?? null);
  yield { type: "ready", template: template.name, dir, port, url, processId: process.id };
}

/** `npm install` in the workspace (metered like any command); yields its events and returns whether it failed. */
async function* install(
  workspace: Workspace,
  dir: string,
  npmCache: string | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<TemplateEvent, boolean> {
  const command = npmCache ? `${INSTALL_COMMAND} --prefer-offline` : INSTALL_COMMAND;
  yield { type: "step", step: "install", status: "started", message: command };
  const output: string[] = [];
  // A metered workspace bills the install like any command (src/sandbox/metered-workspace.ts).
  const install = { exitCode: -1, durationMs: 0 };
  for await (const event of workspace.execStream(command, {
    cwd: dir,
    env: npmCache ? { ...NPM_ENV, npm_config_cache: npmCache } : NPM_ENV,
    timeoutMs: INSTALL_TIMEOUT_MS,
    signal,
  })) {
    if (event.type === "exit") Object.assign(install, { exitCode: event.exitCode, durationMs: event.durationMs });
    else output.push(event.data);
  }
  if (output.length) yield { type: "output", step: "install", data: output.join("") };
  if (install.exitCode !== 0) {
    yield {
      type: "step",
      step: "install",
      status: "failed",
      exitCode: install.exitCode,
      message: `${command} exited with ${install.exitCode}`,
    };
    return true;
  }
  yield { type: "step", step: "install", status: "done", exitCode: 0 };
  return false;
}
