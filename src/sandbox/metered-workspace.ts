import type { ExecEvent, GitCloneOptions, GitCommitOptions, GitPushOptions, Workspace } from "./types.ts";

/**
 * Bills one sandbox run: reserves before `run` starts (refusing when the account cannot pay, so nothing runs), then
 * settles to the compute the run reports (CPU time, else duration). Provided by the caller (a turn's meter, or a route's ledger charge).
 */
/** What a sandbox run used: wall-clock time, and CPU time where the backend measures it. */
export type Usage = { durationMs: number; cpuMs?: number };

export type Charge = <T extends Usage>(run: () => Promise<T>) => Promise<T>;

/**
 * The one place that decides what of a workspace is billed. Every command that computes goes through `charge`:
 * exec (whole or streamed, which covers template installs), run_code and git's clone, commit and push. Reading and
 * writing files, listing, process and port bookkeeping are free. Background processes are billed while they run
 * by the cron from sandboxd's counters (src/lib/billing/background-compute.ts); starting one holds its first
 * increment ahead (`beforeBackground`).
 */
export function meteredWorkspace(
  inner: Workspace,
  charge: Charge,
  options: {
    /** Holds a background process's first increment of CPU before it starts (refusing when the account cannot). */
    beforeBackground?: () => Promise<void>;
  } = {},
): Workspace {
  const reserved =
    <T>(start: () => Promise<T>) =>
    async () => {
      await options.beforeBackground?.();
      return start();
    };
  return {
    id: inner.id,
    info: () => inner.info(),
    setNetwork: (enabled) => inner.setNetwork(enabled),

    exec: (command, options) => charge(() => inner.exec(command, options)),
    execStream: (command, options) => meteredStream(() => inner.execStream(command, options), charge),
    runCode: (language, code, options) => charge(() => inner.runCode(language, code, options)),

    readFile: (path) => inner.readFile(path),
    readFileBytes: (path) => inner.readFileBytes(path),
    writeFile: (path, content) => inner.writeFile(path, content),
    listFiles: (path, options) => inner.listFiles(path, options),
    mkdir: (path, options) => inner.mkdir(path, options),
    deleteFile: (path, options) => inner.deleteFile(path, options),
    moveFile: (from, to, options) => inner.moveFile(from, to, options),
    exists: (path) => inner.exists(path),
    // A mount made by the backend outside the sandbox: no command runs (an install instead goes through exec).
    provideTemplateDependencies: (template, dir) => inner.provideTemplateDependencies(template, dir),

    startProcess: (command, startOptions) => reserved(() => inner.startProcess(command, startOptions))(),
    listProcesses: () => inner.listProcesses(),
    getProcess: (id) => inner.getProcess(id),
    processLogs: (id, options) => inner.processLogs(id, options),
    stopProcess: (id) => inner.stopProcess(id),
    stopAllProcesses: (reason) => inner.stopAllProcesses(reason),
    restartProcess: (id) => reserved(() => inner.restartProcess(id))(),

    gitClone: (options: GitCloneOptions) => charge(() => inner.gitClone(options)),
    gitStatus: (dir) => inner.gitStatus(dir),
    gitDiff: (dir, options) => inner.gitDiff(dir, options),
    gitCommit: (options: GitCommitOptions) => charge(() => inner.gitCommit(options)),
    gitPush: (options: GitPushOptions) => charge(() => inner.gitPush(options)),

    // Checkpoint runs' CPU time joins the workspace's background counter, which the platform's cron bills.
    createCheckpoint: (options) => inner.createCheckpoint(options),
    listCheckpoints: () => inner.listCheckpoints(),
    diffCheckpoint: (from, to) => inner.diffCheckpoint(from, to),
    restoreCheckpoint: (id) => inner.restoreCheckpoint(id),

    exposePort: (port) => inner.exposePort(port),
    unexposePort: (port) => inner.unexposePort(port),
    exposedPorts: () => inner.exposedPorts(),
    listeningPorts: () => inner.listeningPorts(),

    // Archives and terminal shells run in cgroups whose CPU time joins the background counter, billed by the cron;
    // a shell holds its first increment ahead, as a background process does.
    archive: (path, format) => inner.archive(path, format),
    openTerminal: (size) => reserved(() => inner.openTerminal(size))(),
    listTerminals: () => inner.listTerminals(),
    closeTerminal: (id) => inner.closeTerminal(id),
    terminalFetch: (request, id) => inner.terminalFetch(request, id),

    destroy: () => inner.destroy(),
  };
}

/**
 * A streamed command under one charge: the reservation is taken before the command starts (a refusal throws before
 * any event), and the charge settles to the duration of its exit event once the stream ends, however it ends.
 */
async function* meteredStream(start: () => AsyncIterable<ExecEvent>, charge: Charge): AsyncGenerator<ExecEvent> {
  let began!: (events: AsyncIterable<ExecEvent>) => void;
  let ended!: (result: Usage) => void;
  let failed!: (error: unknown) => void;
  const started = new Promise<AsyncIterable<ExecEvent>>((resolve) => (began = resolve));
  const finished = new Promise<Usage>((resolve, reject) => {
    ended = resolve;
    failed = reject;
  });
  const charged = charge(() => {
    began(start());
    return finished;
  });
  // A refused reservation rejects `charged` before `started` ever resolves.
  const events = await Promise.race([started, charged.then(() => null)]);
  if (!events) return;
  let used: Usage = { durationMs: 0 };
  let read = false;
  try {
    for await (const event of events) {
      if (event.type === "exit") used = { durationMs: event.durationMs, ...(event.cpuMs !== undefined && { cpuMs: event.cpuMs }) };
      yield event;
    }
    read = true;
  } catch (error) {
    failed(error);
    await charged.catch(() => {});
    throw error;
  } finally {
    if (!read) {
      // The consumer stopped reading early: bill what ran so far.
      ended(used);
      await charged.catch((error: unknown) => console.error("a streamed sandbox run could not be charged", error));
    }
  }
  ended(used);
  await charged;
}
