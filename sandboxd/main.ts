import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureSystemPackages } from "../scripts/system-packages.ts";
import { type ActivitySettings, activitySettings, WorkspaceActivity } from "./activity.ts";
import { readHostNameservers, writeSandboxEtc } from "./bwrap.ts";
import { defaultLimits } from "../src/sandbox/types.ts";
import { fillSpareImage, spareImagePath } from "./disk.ts";
import { detectCapabilities, protectionReport, usesDiskImage, usesOwnUid } from "./capabilities.ts";
import { type EgressPolicy, egressPolicy } from "./network.ts";
import { type PreviewSettings, previewSettings } from "./relay.ts";
import { writeSeccompFilter } from "./seccomp.ts";
import { createSandboxServer } from "./server.ts";
import { type TerminalSettings, terminalSettings } from "./terminals.ts";
import { DEFAULT_DEPS_ROOT, TemplateDepsStore } from "./template-deps.ts";
import { WorkspaceStore } from "./workspace.ts";
import { TEMPLATE_NAMES } from "../src/lib/templates/catalog.ts";

const log = (message: string) => console.error(`[sandboxd] ${message}`);

const { values } = parseArgs({
  options: { port: { type: "string" }, "data-dir": { type: "string" }, "exit-with-stdin": { type: "boolean" } },
});
const port = Number(values.port ?? process.env.SANDBOXD_PORT ?? "");
const secret = process.env.SANDBOXD_SECRET ?? "";
const dataDir = path.resolve(values["data-dir"] ?? process.env.SANDBOXD_DATA_DIR ?? ".data/sandboxd");

if (!Number.isInteger(port) || port < 0 || port > 65535 || (values.port ?? process.env.SANDBOXD_PORT) === undefined) {
  log("set the port with --port <n> or SANDBOXD_PORT (0 picks a free one)");
  process.exit(2);
}
if (secret.length < 16) {
  log("set SANDBOXD_SECRET to a shared secret of at least 16 characters");
  process.exit(2);
}

if (process.getuid?.() === 0) {
  try {
    ensureSystemPackages(["bubblewrap", "passt", "e2fsprogs", "iproute2", "python3", "python3-seccomp", "git"]);
  } catch (error) {
    log(`could not install system packages, going on with what is there: ${(error as Error).message}`);
  }
}
let egress: EgressPolicy;
let preview: PreviewSettings;
let idle: ActivitySettings;
let terminals: TerminalSettings;
try {
  terminals = terminalSettings(process.env);
  idle = activitySettings(process.env);
  egress = egressPolicy(process.env.SANDBOXD_EGRESS_ALLOW, readHostNameservers());
  preview = previewSettings(process.env);
} catch (error) {
  log((error as Error).message);
  process.exit(2);
}
if (egress.allow.length) log(`egress allowed to ${egress.allow.join(", ")} inside the private ranges`);
const caps = detectCapabilities();
if (!caps.bwrap || !caps.python3) {
  log("bubblewrap (bwrap) and /usr/bin/python3 are required; install the Debian packages bubblewrap and python3");
  process.exit(1);
}
mkdirSync(dataDir, { recursive: true, mode: 0o711 });
const etcDir = path.join(dataDir, "etc");
writeSandboxEtc(etcDir);
const seccomp = writeSeccompFilter(etcDir);
caps.seccompFilter = seccomp.file;
if (seccomp.problem) log(`no seccomp filter: ${seccomp.problem}`);
const report = protectionReport(caps);
log(
  report.missing.length === 0
    ? "all protections on: own uid, namespaces, seccomp, pasta network, pids/memory/cpu limits, disk quota"
    : `running with missing protections: ${report.missing.map((name) => `${name} (${report.protections[name]!.detail})`).join("; ")}`,
);

const instance = createHash("sha256").update(dataDir).digest("hex").slice(0, 12);
// Shared template dependencies need overlays mounted as root into the workspaces' disk images.
const deps =
  usesDiskImage(caps) && usesOwnUid(caps)
    ? new TemplateDepsStore(path.resolve(process.env.SANDBOXD_DEPS_DIR ?? DEFAULT_DEPS_ROOT), log)
    : null;
if (deps && process.env.SANDBOXD_DEPS_WARM !== "0") deps.warm(TEMPLATE_NAMES);
const store = new WorkspaceStore({ caps, dataDir, etcDir, egress, log, instance, deps });
// The first new workspace finds its disk image formatted (each one taken is replaced in the background).
if (usesDiskImage(caps)) fillSpareImage(spareImagePath(dataDir, defaultLimits.diskMiB), defaultLimits.diskMiB, log);
const activity = new WorkspaceActivity(store, idle, log);
activity.start();
const server = createSandboxServer({ store, secret, report, log, preview, activity, terminals });

server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  log(`listening on http://127.0.0.1:${actual} data dir ${dataDir}`);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping workspaces`);
  server.close();
  server.closeAllConnections();
  activity.close();
  await store.shutdown().catch((error) => log(`shutdown: ${(error as Error).message}`));
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
// For supervisors and tests: when the parent goes away, even by SIGKILL, its end of our stdin closes.
if (values["exit-with-stdin"]) {
  process.stdin.on("end", () => void shutdown("stdin closed"));
  process.stdin.resume();
}
process.on("SIGINT", () => void shutdown("SIGINT"));
