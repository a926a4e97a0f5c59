import { tool, zodSchema, type Schema, type ToolSet } from "ai";
import { z } from "zod";
import type { AgentToolName } from "../lib/agents/tool-policy.ts";
import { applyTemplate } from "../lib/templates/apply.ts";
import { TEMPLATE_NAMES } from "../lib/templates/catalog.ts";
import type { GitCredentials, Workspace } from "../sandbox/types.ts";

/*
 * The agent's tools: names and JSON arguments are a stable contract (the UI, the docs and the tests name them).
 * gpt-oss has built-in tools called `python` and `browser.*`; no tool here may take those names.
 */

const RelativePath = z.string().min(1).max(1024);
const OptionalDir = z.string().max(1024).optional();

export const TOOL_INPUTS = {
  exec: z.object({
    command: z.string().min(1).max(20_000),
    cwd: OptionalDir,
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
  }),
  run_code: z.object({ language: z.enum(["python", "javascript"]), code: z.string().min(1).max(200_000) }),
  read_file: z.object({ path: RelativePath }),
  write_file: z.object({ path: RelativePath, content: z.string().max(5_000_000) }),
  list_files: z.object({ path: z.string().max(1024).optional() }),
  delete_file: z.object({ path: RelativePath }),
  move_file: z.object({ from: RelativePath, to: RelativePath }),
  start_process: z.object({ command: z.string().min(1).max(20_000), cwd: OptionalDir }),
  list_processes: z.object({}),
  process_logs: z.object({ id: z.string().min(1).max(100) }),
  stop_process: z.object({ id: z.string().min(1).max(100) }),
  git_clone: z.object({ url: z.string().min(1).max(2000), branch: z.string().max(200).optional(), dir: OptionalDir }),
  git_status: z.object({ dir: OptionalDir }),
  git_diff: z.object({ dir: OptionalDir }),
  git_commit: z.object({ message: z.string().min(1).max(5000), dir: OptionalDir }),
  remember: z.object({ note: z.string().min(1).max(2000) }),
  expose_port: z.object({ port: z.number().int().min(1).max(65535) }),
  apply_template: z.object({ template: z.enum(TEMPLATE_NAMES), dir: OptionalDir }),
  git_push: z.object({ dir: OptionalDir, remote: z.string().max(200).optional(), branch: z.string().max(200).optional() }),
} as const satisfies Record<AgentToolName, z.ZodType>;

export type ToolName = keyof typeof TOOL_INPUTS;
export const TOOL_NAMES = Object.keys(TOOL_INPUTS) as ToolName[];

// Built once per isolate: the SDK turns a schema into JSON Schema on first use and keeps it, so every turn reuses
// the conversion instead of redoing it for each of the tools on every model step (part of time to first token).
const TOOL_SCHEMAS = Object.fromEntries(TOOL_NAMES.map((name) => [name, zodSchema(TOOL_INPUTS[name] as z.ZodType)])) as Record<
  ToolName,
  Schema<unknown>
>;

const DESCRIPTIONS: Record<ToolName, string> = {
  exec: "Run a shell command (bash) in the workspace and return its exit code, stdout and stderr.",
  run_code: "Run a Python or JavaScript (Node.js) program in the workspace and return its output.",
  read_file: "Read a text file from the workspace.",
  write_file: "Create or overwrite a text file in the workspace (parent directories are created).",
  list_files: "List a directory of the workspace with sizes and types (default: the workspace root).",
  delete_file: "Delete a file or directory (recursively) from the workspace.",
  move_file: "Move or rename a file or directory in the workspace.",
  start_process: "Start a long-running command (a dev server, a watcher) in the background; returns its id.",
  list_processes: "List background processes with their status.",
  process_logs: "Read the output of a background process so far.",
  stop_process: "Stop a background process and everything it started.",
  git_clone: "Clone a git repository into the workspace (optionally a branch; shallow by default).",
  git_status: "Show the git status of a repository in the workspace.",
  git_diff: "Show the uncommitted changes of a repository in the workspace.",
  git_commit: "Stage all changes of a repository in the workspace and commit them.",
  expose_port: "Expose a port of the workspace (a server bound to 127.0.0.1 or 0.0.0.0) and get its live preview URL.",
  apply_template:
    "Start a project from a template (nextjs, react-vite, vue-vite): copies it into dir, gives it its packages (from the shared store, else npm install), starts its dev server on port 8080 (or the next free port) and returns the port and the preview URL.",
  remember: "Save a short note to the agent's long-term memory; notes are shown in every conversation.",
  git_push: "Push the commits of a repository in the workspace (default remote origin, current branch) with the owner's git token secret.",
};

/** What the model sees of a command's output: enough to work with, never megabytes. */
export const MAX_OUTPUT_CHARS = 12_000;

export function truncateOutput(text: string, max = MAX_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n… [${text.length - max} characters omitted] …\n${text.slice(-half)}`;
}

export interface ToolContext {
  /** The agent's sandbox workspace (created on first use), metered (src/sandbox/metered-workspace.ts). */
  workspace(): Promise<Workspace>;
  remember(note: string): Promise<{ id: string }>;
  /** Called after a tool that may have changed files or processes, so connected clients refresh. */
  workspaceChanged(): void;
  /** The secrets marked for commands, as environment variables (exec, start_process); never a git token. */
  secretEnv?(): Promise<Record<string, string>>;
  /** The git token and the hosts it may go to, for git_clone and git_push (the platform uses it, never a command). */
  gitCredentials?(): Promise<GitCredentials | undefined>;
  /** Awaited before each file-changing tool runs (FILE_CHANGING_TOOLS): the turn's workspace checkpoint. */
  beforeFileChange?(): Promise<void>;
  /** Applied to every tool result before the model or anyone sees it (removes secret values). */
  redact?<T>(value: T): Promise<T>;
}

const dirOf = (dir?: string) => (dir?.trim() ? dir : ".");

function execOutput(result: { exitCode: number; stdout: string; stderr: string; durationMs: number; error?: { message: string } }) {
  return {
    exitCode: result.exitCode,
    stdout: truncateOutput(result.stdout),
    stderr: truncateOutput(result.stderr),
    durationMs: result.durationMs,
    ...(result.error && { error: result.error.message }),
  };
}

/** Tools that may change the workspace's files: the turn's checkpoint is taken before the first of them runs. */
export const FILE_CHANGING_TOOLS: ReadonlySet<ToolName> = new Set<ToolName>([
  "exec",
  "run_code",
  "write_file",
  "delete_file",
  "move_file",
  "start_process",
  "git_clone",
  "apply_template",
]);

/** The AI SDK tool set bound to one agent's workspace. */
export function buildTools(ctx: ToolContext): ToolSet {
  const changed = <T>(value: T) => {
    ctx.workspaceChanged();
    return value;
  };
  const defs: { [K in ToolName]: (input: z.infer<(typeof TOOL_INPUTS)[K]>, signal?: AbortSignal) => Promise<unknown> } = {
    exec: async ({ command, cwd, timeoutMs }, signal) => {
      const ws = await ctx.workspace();
      const env = await ctx.secretEnv?.();
      const result = { stdout: "", stderr: "", exitCode: -1, durationMs: 0, error: undefined as { message: string } | undefined };
      for await (const event of ws.execStream(command, { cwd, timeoutMs, signal, env })) {
        if (event.type === "stdout") result.stdout += event.data;
        else if (event.type === "stderr") result.stderr += event.data;
        else Object.assign(result, { exitCode: event.exitCode, durationMs: event.durationMs, error: event.error });
      }
      return changed(execOutput(result));
    },
    run_code: async ({ language, code }) => {
      const ws = await ctx.workspace();
      return changed(execOutput(await ws.runCode(language, code)));
    },
    read_file: async ({ path }) => ({ path, content: truncateOutput(await (await ctx.workspace()).readFile(path), 100_000) }),
    write_file: async ({ path, content }) => {
      await (await ctx.workspace()).writeFile(path, content);
      return changed({ path, bytes: new TextEncoder().encode(content).length });
    },
    list_files: async ({ path }) => ({
      path: path ?? ".",
      entries: (await (await ctx.workspace()).listFiles(path ?? ".")).map((e) => ({ name: e.name, type: e.type, size: e.size })),
    }),
    delete_file: async ({ path }) => {
      await (await ctx.workspace()).deleteFile(path, { recursive: true });
      return changed({ deleted: path });
    },
    move_file: async ({ from, to }) => {
      await (await ctx.workspace()).moveFile(from, to);
      return changed({ from, to });
    },
    start_process: async ({ command, cwd }) => {
      const info = await (await ctx.workspace()).startProcess(command, { cwd, env: await ctx.secretEnv?.() });
      return changed({ id: info.id, status: info.status, command });
    },
    list_processes: async () => ({
      processes: (await (await ctx.workspace()).listProcesses()).map((p) => ({
        id: p.id,
        command: p.command,
        status: p.status,
        exitCode: p.exitCode,
      })),
    }),
    process_logs: async ({ id }) => {
      let output = "";
      for await (const chunk of (await ctx.workspace()).processLogs(id)) output += chunk;
      return { id, output: truncateOutput(output) };
    },
    stop_process: async ({ id }) => {
      const info = await (await ctx.workspace()).stopProcess(id);
      return changed({ id, status: info.status, reason: info.reason });
    },
    git_clone: async ({ url, branch, dir }) => {
      const result = await (await ctx.workspace()).gitClone({ url, branch, dir, depth: 1, credentials: await ctx.gitCredentials?.() });
      return changed(execOutput(result));
    },
    git_status: async ({ dir }) => (await ctx.workspace()).gitStatus(dirOf(dir)),
    git_diff: async ({ dir }) => ({ diff: truncateOutput(await (await ctx.workspace()).gitDiff(dirOf(dir))) }),
    git_commit: async ({ message, dir }) => execOutput(await (await ctx.workspace()).gitCommit({ dir: dirOf(dir), message })),
    remember: async ({ note }) => ({ saved: (await ctx.remember(note)).id }),
    expose_port: async ({ port }) => {
      const exposed = await (await ctx.workspace()).exposePort(port);
      return { port, url: exposed.url ?? null };
    },
    apply_template: async ({ template, dir }, signal) => {
      const steps: string[] = [];
      let output = "";
      for await (const event of applyTemplate(await ctx.workspace(), template, { dir, signal })) {
        if (event.type === "output") output += event.data;
        else if (event.type === "ready") return changed({ ...event, steps });
        else {
          steps.push(`${event.step}: ${event.status}${event.message ? ` (${event.message})` : ""}`);
          if (event.status === "failed") return changed({ failed: event.step, steps, output: truncateOutput(output, 4000) });
        }
      }
      return changed({ steps });
    },
    git_push: async ({ dir, remote, branch }) =>
      execOutput(await (await ctx.workspace()).gitPush({ dir: dirOf(dir), remote, branch, credentials: await ctx.gitCredentials?.() })),
  };
  const tools: ToolSet = {};
  for (const name of TOOL_NAMES) {
    const run = defs[name] as (input: unknown, signal?: AbortSignal) => Promise<unknown>;
    tools[name] = tool({
      description: DESCRIPTIONS[name],
      inputSchema: TOOL_SCHEMAS[name],
      execute: async (input: unknown, options: { abortSignal?: AbortSignal }) => {
        let output: unknown;
        if (FILE_CHANGING_TOOLS.has(name)) await ctx.beforeFileChange?.();
        try {
          output = await run(input, options.abortSignal);
        } catch (error) {
          // An error's message reaches the model and the history like a result does: it is redacted the same way.
          if (!ctx.redact || !(error instanceof Error)) throw error;
          const message = await ctx.redact(error.message);
          if (message === error.message) throw error;
          throw Object.assign(new Error(message), { name: error.name });
        }
        return ctx.redact ? ctx.redact(output) : output;
      },
    });
  }
  return tools;
}
