import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxError, type Workspace } from "../../../src/sandbox/types.ts";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId } from "../../support/sandboxd.ts";

let sandboxd: SandboxdProcess;
let ws: Workspace;
let other: Workspace;

const binary = new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 256));

beforeAll(async () => {
  sandboxd = await startSandboxd();
  ws = await sandboxd.client.workspace(uniqueId("ckpt"));
  other = await sandboxd.client.workspace(uniqueId("ckpt-other"));
});

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

const listing = async (workspace: Workspace) =>
  (await workspace.exec("find . -path ./.git -prune -o -print | sort && stat -c '%n %a' run.sh locked")).stdout;

describe("checkpoints", () => {
  it("restores edited, deleted and added files byte for byte, and restoring again undoes the restore", async () => {
    await ws.writeFile("src/app.ts", "export const a = 1;\n");
    await ws.writeFile("notes/keep.md", "# notes\n");
    await ws.writeFile("image.bin", binary);
    await ws.writeFile("run.sh", "#!/bin/sh\necho hi\n");
    await ws.exec(
      "chmod 755 run.sh && ln -s src/app.ts link.ts && mkdir -p empty/dir locked && echo sealed > locked/f && chmod 555 locked",
    );
    const before = await listing(ws);
    const checkpoint = await ws.createCheckpoint({ kind: "before-turn", threadId: "t1", messageId: "m1" });
    expect(checkpoint).toMatchObject({ kind: "before-turn", threadId: "t1", messageId: "m1", files: 5 });

    await ws.writeFile("src/app.ts", "export const a = 2;\n");
    await ws.deleteFile("notes", { recursive: true });
    await ws.deleteFile("image.bin");
    await ws.writeFile("added.txt", "new\n");
    await ws.exec("chmod 644 run.sh && rm link.ts && ln -s added.txt link.ts && rm -r empty && chmod 755 locked && rm locked/f");
    const edited = await listing(ws);

    const diff = await ws.diffCheckpoint(checkpoint.id, "now");
    expect(diff.files).toEqual(
      expect.arrayContaining([
        { path: "src/app.ts", status: "modified" },
        { path: "notes/keep.md", status: "deleted" },
        { path: "image.bin", status: "deleted", binary: true },
        { path: "added.txt", status: "added" },
      ]),
    );
    expect(diff.patch).toContain("-export const a = 1;\n+export const a = 2;\n");

    const { restored, undo } = await ws.restoreCheckpoint(checkpoint.id);
    expect(restored.id).toBe(checkpoint.id);
    expect(undo).toMatchObject({ kind: "before-restore", restoring: checkpoint.id, threadId: "t1" });
    expect(await ws.readFile("src/app.ts")).toBe("export const a = 1;\n");
    expect(await ws.readFile("notes/keep.md")).toBe("# notes\n");
    expect(await ws.readFile("locked/f")).toBe("sealed\n");
    expect(await ws.readFileBytes("image.bin")).toEqual(binary);
    expect((await ws.exec("readlink link.ts")).stdout).toBe("src/app.ts\n");
    expect(await ws.exists("added.txt")).toEqual({ exists: false });
    expect(await listing(ws)).toBe(before);
    expect((await ws.diffCheckpoint(checkpoint.id, "now")).files).toEqual([]);

    await ws.restoreCheckpoint(undo.id);
    expect(await ws.readFile("src/app.ts")).toBe("export const a = 2;\n");
    expect(await ws.readFile("added.txt")).toBe("new\n");
    expect(await ws.exists("image.bin")).toEqual({ exists: false });
    expect(await listing(ws)).toBe(edited);
  });

  it("leaves each repository's .git out and untouched", async () => {
    await ws.exec("mkdir -p repo && cd repo && git init -q && echo one > f.txt");
    const checkpoint = await ws.createCheckpoint({ threadId: "t-git" });
    await ws.exec("cd repo && echo two > f.txt && git add -A && git -c user.name=a -c user.email=a@b commit -qm x");
    const head = (await ws.exec("git -C repo rev-parse HEAD")).stdout;
    await ws.restoreCheckpoint(checkpoint.id);
    expect(await ws.readFile("repo/f.txt")).toBe("one\n");
    expect((await ws.exec("git -C repo rev-parse HEAD")).stdout).toBe(head);
  });

  it("never takes another workspace's files or the host's into a checkpoint, whatever a symlink points to", async () => {
    await other.writeFile("secret.txt", "other workspace secret\n");
    const otherHostPath = `${sandboxd.dataDir}/workspaces/${other.id}`;
    await ws.exec(`ln -sfn ${otherHostPath} other-link && ln -sfn /etc/shadow shadow-link && ln -sfn /checkpoints store-link`);
    const checkpoint = await ws.createCheckpoint({ threadId: "t-escape" });
    await ws.exec("rm other-link shadow-link store-link");
    await ws.restoreCheckpoint(checkpoint.id);
    expect((await ws.exec("readlink other-link shadow-link store-link")).stdout).toBe(`${otherHostPath}\n/etc/shadow\n/checkpoints\n`);
    const grep = await ws.exec("grep -rl 'other workspace secret' . || true");
    expect(grep.stdout).toBe("");
    // A checkpoint id of one workspace means nothing in another.
    await expect(other.restoreCheckpoint(checkpoint.id)).rejects.toMatchObject({ status: 404, code: "checkpoint_not_found" });
    expect(await other.readFile("secret.txt")).toBe("other workspace secret\n");
  });

  it("checkpoints a workspace holding unreadable files and directories, and a restore leaves them as they are", async () => {
    await ws.exec("mkdir -p private && echo mine > private/key && chmod 000 private && echo x > sealed.txt && chmod 000 sealed.txt");
    await ws.writeFile("visible.txt", "one\n");
    const checkpoint = await ws.createCheckpoint({ threadId: "t-unreadable" });
    await ws.writeFile("visible.txt", "two\n");
    await ws.restoreCheckpoint(checkpoint.id);
    expect(await ws.readFile("visible.txt")).toBe("one\n");
    expect((await ws.exec("stat -c '%n %a' private sealed.txt && chmod 700 private && cat private/key")).stdout).toBe(
      "private 0\nsealed.txt 0\nmine\n",
    );
    await ws.exec("rm -rf private sealed.txt");
  });

  it("keeps the newest checkpoints of a thread and lists them newest first", async () => {
    const made = [];
    for (let i = 0; i < 3; i++) {
      await ws.writeFile("counter.txt", String(i));
      made.push(await ws.createCheckpoint({ threadId: "t-keep", keep: 2 }));
    }
    const { checkpoints, storeBytes } = await ws.listCheckpoints();
    expect(checkpoints.filter((c) => c.threadId === "t-keep").map((c) => c.id)).toEqual([made[2]!.id, made[1]!.id]);
    expect(storeBytes).toBeGreaterThan(0);
    await expect(ws.restoreCheckpoint(made[0]!.id)).rejects.toMatchObject({ status: 404 });
  });

  it("answers bad ids and targets with a 4xx and changes nothing", async () => {
    await ws.writeFile("stay.txt", "stay\n");
    for (const call of [
      () => ws.restoreCheckpoint("../../etc"),
      () => ws.restoreCheckpoint("ck-zzzz-00000000"),
      () => ws.diffCheckpoint("ck-zzzz-00000000", "now"),
      () => ws.diffCheckpoint("ck-1-00000000", "yesterday"),
      () => ws.createCheckpoint({ threadId: "bad thread id" }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).status).toBeGreaterThanOrEqual(400);
      expect((error as SandboxError).status).toBeLessThan(500);
    }
    expect(await ws.readFile("stay.txt")).toBe("stay\n");
  });
});
