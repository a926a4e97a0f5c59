import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalSandbox } from "../../../src/sandbox/local.ts";
import type { Workspace } from "../../../src/sandbox/types.ts";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId } from "../../support/sandboxd.ts";

let sandboxd: SandboxdProcess;
let ws: Workspace;

beforeAll(async () => {
  sandboxd = await startSandboxd();
  ws = await sandboxd.client.workspace(uniqueId("bad"));
});

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

async function raw(method: string, path: string, body?: unknown, secret = sandboxd.secret) {
  const response = await fetch(`${sandboxd.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

describe("authentication", () => {
  it("refuses a wrong, empty or missing shared secret on every route", async () => {
    for (const secret of ["wrong-secret-of-some-length", "", `${sandboxd.secret}x`, sandboxd.secret.slice(0, -1)]) {
      const answer = await raw("GET", "/v1/status", undefined, secret);
      expect(answer).toEqual({ status: 401, body: { error: { code: "unauthorized", message: "missing or wrong shared secret" } } });
    }
    const noHeader = await fetch(`${sandboxd.url}/v1/workspaces/${ws.id}/exec`, { method: "POST", body: "{}" });
    expect(noHeader.status).toBe(401);
    const wrongClient = new LocalSandbox({ url: sandboxd.url, secret: "not-the-secret-at-all" });
    await expect(wrongClient.workspace("x")).rejects.toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("does not run anything for an unauthenticated request", async () => {
    const marker = uniqueId("unauth");
    await raw("POST", `/v1/workspaces/${ws.id}/exec`, { command: `touch ${marker}` }, "wrong-secret-of-some-length");
    expect(await ws.exists(marker)).toEqual({ exists: false });
  });
});

describe("paths", () => {
  it("refuses paths with .. segments", async () => {
    for (const path of ["../x", "a/../../x", "a/..", ".."]) {
      await expect(ws.readFile(path)).rejects.toMatchObject({ status: 400, code: "invalid_path" });
      await expect(ws.writeFile(path, "x")).rejects.toMatchObject({ status: 400, code: "invalid_path" });
    }
  });

  it("refuses absolute paths outside the workspace", async () => {
    for (const path of ["/etc/passwd", "/tmp/x", "/", "/workspacex/file"]) {
      await expect(ws.readFile(path)).rejects.toMatchObject({ status: 403, code: "path_outside_workspace" });
    }
    await expect(ws.exec("pwd", { cwd: "/etc" })).rejects.toMatchObject({ status: 403 });
    await expect(ws.moveFile("a.txt", "/tmp/a.txt")).rejects.toMatchObject({ status: 403 });
  });

  it("refuses to follow symlinks that point out of the workspace, and leaves their targets alone", async () => {
    await ws.exec("ln -sfn /etc link-to-etc; ln -sf /etc/passwd link-to-passwd; ln -sfn / link-to-root; ln -sf /tmp/nowhere dangling");
    await expect(ws.readFile("link-to-passwd")).rejects.toMatchObject({ status: 403, code: "path_outside_workspace" });
    await expect(ws.readFile("link-to-etc/hostname")).rejects.toMatchObject({ status: 403 });
    await expect(ws.writeFile("link-to-root/tmp/escaped.txt", "x")).rejects.toMatchObject({ status: 403 });
    await expect(ws.writeFile("dangling", "x")).rejects.toMatchObject({ status: 403 });
    await expect(ws.listFiles("link-to-etc")).rejects.toMatchObject({ status: 403 });
    await expect(ws.mkdir("link-to-root/tmp/newdir")).rejects.toMatchObject({ status: 403 });
    expect((await ws.exec("ls /tmp")).stdout).toBe("");
    expect(existsSync("/tmp/nowhere")).toBe(false);
    // The link itself is inside the workspace and can be deleted without touching its target.
    await ws.deleteFile("link-to-etc");
    expect(await ws.exists("link-to-etc")).toEqual({ exists: false });
    expect((await ws.exec("test -d /etc && echo etc-still-there")).stdout).toBe("etc-still-there\n");
  });

  it("refuses NUL bytes in paths, commands and env", async () => {
    expect((await raw("POST", `/v1/workspaces/${ws.id}/files/read`, { path: "a\u0000b" })).status).toBe(400);
    expect((await raw("POST", `/v1/workspaces/${ws.id}/exec`, { command: "echo a\u0000b" })).status).toBe(400);
    const env = await raw("POST", `/v1/workspaces/${ws.id}/exec`, { command: "true", env: { A: "x\u0000y" } });
    expect(env.status).toBe(400);
    expect(env.body.error?.code).toBe("invalid_request");
  });

  it("refuses to delete or move the workspace root", async () => {
    await expect(ws.deleteFile("/workspace", { recursive: true })).rejects.toMatchObject({ status: 400 });
    await expect(ws.deleteFile(".", { recursive: true })).rejects.toMatchObject({ status: 400 });
    expect((await ws.exec("echo alive")).exitCode).toBe(0);
  });
});

describe("special files", () => {
  it("refuses to read or write a FIFO instead of blocking on it", async () => {
    await ws.exec("mkfifo pipe");
    await expect(ws.readFile("pipe")).rejects.toMatchObject({ status: 400, code: "not_a_regular_file" });
    await expect(ws.writeFile("pipe", "x")).rejects.toMatchObject({ status: 400, code: "not_a_regular_file" });
    await expect(ws.writeFile("sub-is-dir", "x").then(() => ws.writeFile(".", "x"))).rejects.toMatchObject({ status: 400 });
  });
});

describe("sizes", () => {
  it("refuses to write a file larger than the limit", async () => {
    const big = new Uint8Array(33 * 1024 * 1024);
    await expect(ws.writeFile("huge.bin", big)).rejects.toMatchObject({ status: 413 });
    expect(await ws.exists("huge.bin")).toEqual({ exists: false });
  });

  it("refuses to read a file larger than the limit", async () => {
    await ws.exec("head -c 40000000 /dev/zero > huge-read.bin");
    await expect(ws.readFileBytes("huge-read.bin")).rejects.toMatchObject({ status: 413, code: "file_too_large" });
  });
});

describe("request shape", () => {
  it("refuses invalid JSON, unknown fields and wrong types with a 400 that says what is wrong", async () => {
    const invalidJson = await raw("POST", `/v1/workspaces/${ws.id}/exec`, "{not json");
    expect(invalidJson).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    const unknown = await raw("POST", `/v1/workspaces/${ws.id}/exec`, { command: "true", sudo: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toContain("sudo");
    const wrongType = await raw("POST", `/v1/workspaces/${ws.id}/exec`, { command: "true", timeoutMs: "soon" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error?.message).toContain("timeoutMs");
  });

  it("refuses invalid workspace ids and answers 404 for unknown workspaces and routes", async () => {
    expect((await raw("PUT", "/v1/workspaces/..%2Fescape", {})).status).toBe(400);
    expect((await raw("PUT", "/v1/workspaces/has%20space", {})).status).toBe(400);
    expect((await raw("GET", "/v1/workspaces/does-not-exist")).body.error?.code).toBe("workspace_not_found");
    expect((await raw("GET", "/v1/workspaces/%E0%A4%A")).status).toBe(400);
    expect((await raw("GET", "/v1/nothing-here")).status).toBe(404);
    expect((await raw("DELETE", "/v1/status")).status).toBe(405);
  });

  it("refuses a git clone url or remote that would be read as an option", async () => {
    const clone = await raw("POST", `/v1/workspaces/${ws.id}/git/clone`, { url: "--upload-pack=touch /workspace/pwned" });
    expect(clone.status).toBe(400);
    const branch = await raw("POST", `/v1/workspaces/${ws.id}/git/clone`, { url: "file:///x", branch: "--foo" });
    expect(branch.status).toBe(400);
    expect(await ws.exists("pwned")).toEqual({ exists: false });
  });

  it("refuses limits outside their allowed range", async () => {
    const answer = await raw("PUT", `/v1/workspaces/${uniqueId("limits")}`, { limits: { memoryMiB: 1 } });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toContain("memoryMiB");
  });
});
