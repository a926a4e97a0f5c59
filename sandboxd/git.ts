import type { ExecResult, GitCloneOptions, GitCommitOptions, GitCredentials, GitPushOptions, GitStatus } from "../src/sandbox/types.ts";
import { credentialEnv, credentialHelper } from "../src/sandbox/git-credential-helper.ts";
import { HttpError } from "./errors.ts";
import { workspacePath } from "./paths.ts";
import type { Workspace } from "./workspace.ts";

/**
 * Config for a credentialed git call: no hooks, no helper but ours, and nothing from the user's global config
 * (GIT_CONFIG_GLOBAL below); the repository's own config is replaced for the run (see gitPush).
 */
const safeArgs = ["-c", "core.hooksPath=/dev/null", "-c", "credential.helper=", "-c", `credential.helper=${credentialHelper}`];

const quietEnv = { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "/bin/false" };

/** The environment of an isolated credentialed git run: quiet, no global config, the helper's values. */
function isolatedGitEnv(credentials: GitCredentials): Record<string, string> {
  return { ...quietEnv, GIT_CONFIG_GLOBAL: "/dev/null", XDG_CONFIG_HOME: "/nonexistent", ...credentialEnv(credentials) };
}

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
  const args = ["git", ...(options.credentials ? safeArgs : []), "clone"];
  if (options.branch) args.push("--branch", options.branch);
  if (options.depth) args.push("--depth", String(options.depth));
  args.push("--", options.url, dir);
  if (!options.credentials) return workspace.exec({ command: args, env: { ...options.env, ...quietEnv }, timeoutMs: options.timeoutMs });
  // A new clone has no config of its own yet; the global one is left out, so only our helper sees the token.
  return workspace.execIsolated({
    argv: args,
    env: { ...options.env, ...isolatedGitEnv(options.credentials) },
    timeoutMs: options.timeoutMs,
  });
}

export async function gitStatus(workspace: Workspace, dir: string): Promise<GitStatus> {
  const result = await workspace.exec({ command: ["git", "status", "--porcelain=v1", "--branch"], cwd: dir, billedLater: true });
  if (result.exitCode !== 0) throw new HttpError(400, "git_failed", result.stderr.trim() || "git status failed");
  const lines = result.stdout.split("\n").filter(Boolean);
  const header = lines[0]?.startsWith("## ") ? lines.shift()!.slice(3) : null;
  const branch =
    header === null ? null : header.startsWith("No commits yet on ") ? header.slice(18) : header.split("...")[0]!.split(" ")[0]!;
  const entries = lines.map((line) => ({ status: line.slice(0, 2), path: line.slice(3) }));
  return { branch, clean: entries.length === 0, entries };
}

export async function gitDiff(workspace: Workspace, dir: string, staged: boolean): Promise<string> {
  const result = await workspace.exec({ command: ["git", "diff", ...(staged ? ["--staged"] : [])], cwd: dir, billedLater: true });
  if (result.exitCode !== 0) throw new HttpError(400, "git_failed", result.stderr.trim() || "git diff failed");
  return result.stdout;
}

export async function gitCommit(workspace: Workspace, options: GitCommitOptions): Promise<ExecResult> {
  const author = options.author ?? { name: "netM8 Agent", email: "agent@netm8.local" };
  let staged: ExecResult | undefined;
  if (options.all ?? true) {
    staged = await workspace.exec({ command: ["git", "add", "-A"], cwd: options.dir });
    if (staged.exitCode !== 0) return staged;
  }
  const commit = await workspace.exec({
    command: ["git", "-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`, "commit", "-m", options.message],
    cwd: options.dir,
  });
  // One operation, one bill: the staging step's time is the commit's.
  return staged ? withUsageOf(commit, [staged]) : commit;
}

/** An operation's result with the time and CPU time of its helper commands added, so one bill covers them all. */
function withUsageOf(result: ExecResult, helpers: ExecResult[]): ExecResult {
  const sum = (pick: (r: ExecResult) => number | undefined) => helpers.reduce((total, r) => total + (pick(r) ?? 0), pick(result) ?? 0);
  return {
    ...result,
    durationMs: sum((r) => r.durationMs),
    ...(result.cpuMs !== undefined && { cpuMs: sum((r) => r.cpuMs) }),
  };
}

/** Reads a value with git inside the workspace; undefined when git says nothing or fails. Each run joins `ran`. */
async function gitValue(workspace: Workspace, dir: string, args: string[], ran: ExecResult[]): Promise<string | undefined> {
  const result = await workspace.exec({ command: ["git", ...args], cwd: dir });
  ran.push(result);
  const value = result.stdout.trim();
  return result.exitCode === 0 && value ? value : undefined;
}

/** A config with only what git needs to read the repository (its format), nothing that runs or redirects anything. */
async function formatOnlyConfig(workspace: Workspace, dir: string, ran: ExecResult[]): Promise<string> {
  const lines = [
    "[core]",
    `\trepositoryformatversion = ${(await gitValue(workspace, dir, ["config", "--local", "core.repositoryformatversion"], ran)) ?? "0"}`,
  ];
  const extensions: string[] = [];
  for (const name of ["objectformat", "refstorage"]) {
    const value = await gitValue(workspace, dir, ["config", "--local", `extensions.${name}`], ran);
    if (value && /^[a-z0-9-]+$/.test(value)) extensions.push(`\t${name} = ${value}`);
  }
  return [...lines, ...(extensions.length ? ["[extensions]", ...extensions] : []), ""].join("\n");
}

/**
 * Pushes a repository. Without credentials it is a plain `git push` in the workspace. With them, the remote's URL and
 * the branch are read in the workspace first, then git pushes in a sandbox of its own (./isolated.ts) with the
 * repository's config replaced by one that holds only its format: no hook, proxy, TLS setting or credential helper
 * the workspace wrote can see or redirect the token, and our helper sends it only to the hosts it is bound to.
 */
export async function gitPush(workspace: Workspace, options: GitPushOptions): Promise<ExecResult> {
  const remote = options.remote ?? "origin";
  if (!options.credentials) {
    const args = ["git", "push", remote];
    if (options.branch) args.push(options.branch);
    return workspace.exec({ command: args, cwd: options.dir, env: { ...options.env, ...quietEnv }, timeoutMs: options.timeoutMs });
  }
  // The helper commands below are part of the push and billed with it.
  const ran: ExecResult[] = [];
  const gitDir = await gitValue(workspace, options.dir, ["rev-parse", "--absolute-git-dir"], ran);
  if (!gitDir) throw new HttpError(400, "git_failed", `${options.dir} is not a git repository`);
  const commonDir = (await gitValue(workspace, options.dir, ["rev-parse", "--path-format=absolute", "--git-common-dir"], ran)) ?? gitDir;
  const configured = await gitValue(workspace, options.dir, ["remote", "get-url", "--push", "--", remote], ran);
  const url = configured ?? remote;
  if (url.startsWith("-")) throw new HttpError(400, "git_failed", `the remote ${remote} has a URL git would read as an option`);
  const branch = options.branch ?? (await gitValue(workspace, options.dir, ["symbolic-ref", "--short", "-q", "HEAD"], ran));
  if (!branch) throw new HttpError(400, "git_failed", "HEAD is not on a branch: say which branch to push");
  const config = await formatOnlyConfig(workspace, options.dir, ran);
  const result = await workspace.execIsolated({
    argv: ["git", ...safeArgs, "push", url, `refs/heads/${branch}:refs/heads/${branch}`],
    cwd: options.dir,
    env: { ...options.env, ...isolatedGitEnv(options.credentials) },
    timeoutMs: options.timeoutMs,
    files: { [`${gitDir}/config`]: config, [`${commonDir}/config`]: config },
  });
  // Pushed to a URL rather than a remote name, git updated no remote-tracking branch: do what `git push origin` does.
  if (result.exitCode === 0 && configured) {
    ran.push(
      await workspace.exec({
        command: ["git", "update-ref", `refs/remotes/${remote}/${branch}`, `refs/heads/${branch}`],
        cwd: options.dir,
      }),
    );
  }
  return withUsageOf(result, ran);
}
