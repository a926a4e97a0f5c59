import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../../src/sandbox/types.ts";
import { authRecorderScript, removeDataDir, type SandboxdProcess, startSandboxd, uniqueId, waitFor } from "../../support/sandboxd.ts";

let sandboxd: SandboxdProcess;
let ws: Workspace;
let hostRepo: string;

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", ...args], {
    cwd,
    encoding: "utf8",
  });

beforeAll(async () => {
  sandboxd = await startSandboxd();
  ws = await sandboxd.client.workspace(uniqueId("git"));
  // A repository with two commits on main and one more on a feature branch, made on the host.
  hostRepo = mkdtempSync(path.join(tmpdir(), "sandboxd-git-"));
  git(hostRepo, "init", "-q");
  writeFileSync(path.join(hostRepo, "README.md"), "v1\n");
  git(hostRepo, "add", ".");
  git(hostRepo, "commit", "-qm", "first");
  writeFileSync(path.join(hostRepo, "README.md"), "v2\n");
  git(hostRepo, "commit", "-qam", "second");
  git(hostRepo, "checkout", "-qb", "feature");
  writeFileSync(path.join(hostRepo, "feature.txt"), "feature\n");
  git(hostRepo, "add", ".");
  git(hostRepo, "commit", "-qm", "feature work");
  git(hostRepo, "checkout", "-q", "main");
  // The sandbox cannot see host paths or host loopback, so the repository is carried in as a bundle file and
  // turned into a bare repository inside the workspace: a local remote the sandbox can clone from and push to.
  git(hostRepo, "bundle", "create", "-q", "repo.bundle", "--all");
  await ws.writeFile("remote/repo.bundle", readFileSync(path.join(hostRepo, "repo.bundle")));
  const bare = await ws.exec("git clone -q --bare remote/repo.bundle remote/origin.git && rm remote/repo.bundle");
  expect(bare.exitCode, bare.stderr).toBe(0);
});

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
  if (hostRepo) rmSync(hostRepo, { recursive: true, force: true });
});

describe("git", () => {
  it("clones a branch with a given depth into a directory", async () => {
    const result = await ws.gitClone({ url: "file:///workspace/remote/origin.git", branch: "feature", depth: 1, dir: "feature-clone" });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await ws.readFile("feature-clone/feature.txt")).toBe("feature\n");
    const count = await ws.exec("git rev-list --count HEAD", { cwd: "feature-clone" });
    expect(count.stdout).toBe("1\n");
  });

  it("clones the default branch into a directory named after the repository", async () => {
    const result = await ws.gitClone({ url: "file:///workspace/remote/origin.git" });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await ws.readFile("origin/README.md")).toBe("v2\n");
    expect(await ws.exists("origin/feature.txt")).toEqual({ exists: false });
  });

  it("reports status and diff, commits and pushes back to the remote", async () => {
    await ws.gitClone({ url: "file:///workspace/remote/origin.git", dir: "work" });
    expect(await ws.gitStatus("work")).toEqual({ branch: "main", clean: true, entries: [] });
    await ws.writeFile("work/README.md", "v3\n");
    await ws.writeFile("work/new.txt", "new\n");
    const status = await ws.gitStatus("work");
    expect(status.clean).toBe(false);
    expect(status.entries).toEqual([
      { status: " M", path: "README.md" },
      { status: "??", path: "new.txt" },
    ]);
    const diff = await ws.gitDiff("work");
    expect(diff).toContain("-v2");
    expect(diff).toContain("+v3");
    const commit = await ws.gitCommit({ dir: "work", message: "third", author: { name: "Agent", email: "agent@example.com" } });
    expect(commit.exitCode, commit.stderr).toBe(0);
    expect((await ws.gitStatus("work")).clean).toBe(true);
    const push = await ws.gitPush({ dir: "work", remote: "origin", branch: "main" });
    expect(push.exitCode, push.stderr).toBe(0);
    const log = await ws.exec("git --git-dir=remote/origin.git log --format='%s <%ae>' -1 main");
    expect(log.stdout).toBe("third <agent@example.com>\n");
  });

  const listening = (port: number) =>
    waitFor(async () => (await ws.exec(`python3 -c "import socket; socket.create_connection(('127.0.0.1', ${port}))"`)).exitCode === 0);

  it("hands push credentials to git through its environment only, and only for the hosts they are bound to", async () => {
    await ws.gitClone({ url: "file:///workspace/remote/origin.git", dir: "creds" });
    const server = await ws.startProcess(["python3", "-c", authRecorderScript(8419, "auth.txt")]);
    await listening(8419);
    const elsewhere = await ws.gitPush({
      dir: "creds",
      remote: "http://127.0.0.1:8419/repo.git",
      branch: "main",
      credentials: { username: "alice", password: "s3cret-token", hosts: ["github.com"] },
    });
    expect(elsewhere.exitCode).not.toBe(0);
    expect(elsewhere.stderr).toContain("bound to github.com, so this goes to 127.0.0.1:8419 without it");
    expect(await ws.exists("auth.txt")).toEqual({ exists: false });

    const push = await ws.gitPush({
      dir: "creds",
      remote: "http://127.0.0.1:8419/repo.git",
      branch: "main",
      credentials: { username: "alice", password: "s3cret-token", hosts: ["127.0.0.1:8419"] },
    });
    expect(push.exitCode).not.toBe(0);
    expect(await ws.readFile("auth.txt")).toBe(`Basic ${Buffer.from("alice:s3cret-token").toString("base64")}`);
    const config = await ws.exec("cat creds/.git/config; ls ~/.git-credentials 2>&1");
    expect(config.stdout).not.toContain("s3cret-token");
    // A credentialed clone (isolated the same way) works and leaves no token in the new repository either.
    const cloned = await ws.gitClone({
      url: "file:///workspace/remote/origin.git",
      dir: "creds-clone",
      credentials: { username: "alice", password: "s3cret-token", hosts: ["github.com"] },
    });
    expect(cloned.exitCode, cloned.stderr).toBe(0);
    expect(await ws.readFile("creds-clone/README.md")).toBe(await ws.readFile("creds/README.md"));
    expect((await ws.exec("grep -r s3cret-token creds-clone/.git; echo $?")).stdout.trim()).toBe("1");
    await ws.stopProcess(server.id);
  });

  it("keeps the token from the repository's hooks and config: a pre-push hook, a credential helper and a proxy it set", async () => {
    await ws.gitClone({ url: "file:///workspace/remote/origin.git", dir: "hostile" });
    const setup = await ws.exec(
      [
        "cd hostile",
        "mkdir -p .git/hooks && printf '#!/bin/sh\\nenv > /workspace/hook-env.txt\\n' > .git/hooks/pre-push && chmod +x .git/hooks/pre-push",
        "git config credential.helper '!f() { cat >> /workspace/helper.txt; }; f'",
        "git config credential.http://localhost:8420.helper '!f() { cat >> /workspace/helper.txt; }; f'",
        // The workspace's own "proxy" would see the Authorization header of a request meant for localhost:8420.
        "git config http.proxy http://127.0.0.1:8422",
        "git remote add upstream http://localhost:8420/repo.git",
        "git -c user.name=A -c user.email=a@example.com commit -q --allow-empty -m hostile",
      ].join(" && "),
    );
    expect(setup.exitCode, setup.stderr).toBe(0);
    const proxy = await ws.startProcess(["python3", "-c", authRecorderScript(8422, "proxy-auth.txt")]);
    await listening(8422);
    const push = await ws.gitPush({
      dir: "hostile",
      remote: "upstream",
      branch: "main",
      credentials: { username: "alice", password: "hook-token", hosts: ["localhost:8420"] },
    });
    expect(push.exitCode).not.toBe(0);
    for (const file of ["hook-env.txt", "helper.txt", "proxy-auth.txt"]) expect(await ws.exists(file)).toEqual({ exists: false });
    // The same push without credentials is the workspace's own git, hooks and all.
    await ws.gitPush({ dir: "hostile", remote: "origin", branch: "main" });
    expect((await ws.exists("hook-env.txt")).exists).toBe(true);
    await ws.stopProcess(proxy.id);
  });

  it("runs a credentialed push where no other process of the workspace can see it", async () => {
    await ws.gitClone({ url: "file:///workspace/remote/origin.git", dir: "watched" });
    const token = "watched-token-5f3a9c";
    // While git waits for its answer, the server looks through every process it can see for the token.
    const watcher = ws.exec([
      "python3",
      "-c",
      `import http.server, os
needle = bytes.fromhex('${Buffer.from(token).toString("hex")}')
def scan():
    hits = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        for name in ('environ', 'cmdline'):
            try:
                if needle in open('/proc/%s/%s' % (pid, name), 'rb').read(): hits.append(pid + '/' + name)
            except OSError: pass
    return hits
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open('/workspace/scan.txt', 'w').write(' '.join(scan()) or 'none')
        self.send_response(404)
        self.end_headers()
    def log_message(self, *args): pass
server = http.server.HTTPServer(('127.0.0.1', 8423), H)
while not os.path.exists('/workspace/scan.txt'): server.handle_request()`,
    ]);
    await listening(8423);
    const push = await ws.gitPush({
      dir: "watched",
      remote: "http://127.0.0.1:8423/repo.git",
      branch: "main",
      credentials: { username: "alice", password: token, hosts: ["127.0.0.1:8423"] },
    });
    expect(push.exitCode).not.toBe(0);
    await watcher;
    expect(await ws.readFile("scan.txt")).toBe("none");
  });

  it("fails clearly when the directory is not a repository", async () => {
    await ws.mkdir("not-a-repo");
    await expect(ws.gitStatus("not-a-repo")).rejects.toMatchObject({ status: 400, code: "git_failed" });
  });
});
