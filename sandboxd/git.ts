import type { ExecResult, GitCloneOptions, GitCommitOptions, GitCredentials, GitPushOptions, GitStatus } from "../src/sandbox/types.ts";
import { HttpError } from "./errors.ts";
import { workspacePath } from "./paths.ts";
import type { Workspace } from "./workspace.ts";

// Credentials reach git only through this helper reading the environment: never argv, config files or the remote URL.
const credentialHelper = '!f() { test "$1" = get || exit 0; echo "username=$GIT_USERNAME"; echo "password=$GIT_PASSWORD"; }; f';

function credentialArgs(credentials: GitCredentials | undefined): { args: string[]; env: Record<string, string> } {
  if (!credentials) return { args: [], env: {} };
  return {
    args: ["-c", "credential.helper=", "-c", `credential.helper=${credentialHelper}`],
    env: { GIT_USERNAME: credentials.username, GIT_PASSWORD: credentials.password },
  };
}

const quietEnv = { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "/bin/false" };

export function gitClone(workspace: Workspace, options: GitCloneOptions): Promise<ExecResult> {
  const target =
    options.dir ??
    options.url
      .replace(/\/+$/, "")
      .replace(/\.git$/, "")
      .split(/[/:]/)
      .pop() ??
    "repo";
  const dir = workspacePath(target);
  const auth = credentialArgs(options.credentials);
  const args = ["git", ...auth.args, "clone"];
  if (options.branch) args.push("--branch", options.branch);
  if (options.depth) args.push("--depth", String(options.depth));
  args.push("--", options.url, dir);
  return workspace.exec({ command: args, env: { ...options.env, ...quietEnv, ...auth.env }, timeoutMs: options.timeoutMs });
}

export async function gitStatus(workspace: Workspace, dir: string): Promise<GitStatus> {
  const result = await workspace.exec({ command: ["git", "status", "--porcelain=v1", "--branch"], cwd: dir });
  if (result.exitCode !== 0) throw new HttpError(400, "git_failed", result.stderr.trim() || "git status failed");
  const lines = result.stdout.split("\n").filter(Boolean);
  const header = lines[0]?.startsWith("## ") ? lines.shift()!.slice(3) : null;
  const branch =
    header === null ? null : header.startsWith("No commits yet on ") ? header.slice(18) : header.split("...")[0]!.split(" ")[0]!;
  const entries = lines.map((line) => ({ status: line.slice(0, 2), path: line.slice(3) }));
  return { branch, clean: entries.length === 0, entries };
}

export async function gitDiff(workspace: Workspace, dir: string, staged: boolean): Promise<string> {
  const result = await workspace.exec({ command: ["git", "diff", ...(staged ? ["--staged"] : [])], cwd: dir });
  if (result.exitCode !== 0) throw new HttpError(400, "git_failed", result.stderr.trim() || "git diff failed");
  return result.stdout;
}

export async function gitCommit(workspace: Workspace, options: GitCommitOptions): Promise<ExecResult> {
  const author = options.author ?? { name: "netM8 Agent", email: "agent@netm8.local" };
  if (options.all ?? true) {
    const add = await workspace.exec({ command: ["git", "add", "-A"], cwd: options.dir });
    if (add.exitCode !== 0) return add;
  }
  return workspace.exec({
    command: ["git", "-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`, "commit", "-m", options.message],
    cwd: options.dir,
  });
}

export function gitPush(workspace: Workspace, options: GitPushOptions): Promise<ExecResult> {
  const auth = credentialArgs(options.credentials);
  const args = ["git", ...auth.args, "push", options.remote ?? "origin"];
  if (options.branch) args.push(options.branch);
  return workspace.exec({
    command: args,
    cwd: options.dir,
    env: { ...options.env, ...quietEnv, ...auth.env },
    timeoutMs: options.timeoutMs,
  });
}
