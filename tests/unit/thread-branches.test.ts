import type { UIMessage } from "ai";
import { describe, expect, it } from "vitest";
import { CHAT_THREAD_MIGRATIONS } from "../../src/agent/chat-thread-migrations.ts";
import { echoAddsMessages } from "../../src/agent/connection-auth.ts";
import { applyMigrations } from "../../src/agent/sql-migrations.ts";
import { branchPoints, branchVersions, forkAfter, switchVersion } from "../../src/agent/thread-branches.ts";
import { memorySql } from "../support/memory-sql.ts";

const msg = (id: string, role: "user" | "assistant"): UIMessage => ({ id, role, parts: [{ type: "text", text: id }] });
const ids = (messages: readonly UIMessage[]) => messages.map((m) => m.id);

function store() {
  const storage = memorySql();
  applyMigrations(storage, CHAT_THREAD_MIGRATIONS);
  return storage;
}

describe("thread branches", () => {
  it("keeps an edited message's old version and brings it back, with the forks inside it", () => {
    const { sql } = store();
    const history = [msg("u1", "user"), msg("a1", "assistant"), msg("u2", "user"), msg("a2", "assistant")];
    // Edit u2: the fork follows a1.
    let active = [...forkAfter(sql, history, 1, 1), msg("u2b", "user"), msg("a2b", "assistant")];
    expect(branchPoints(sql, active)).toEqual([{ parentId: "a1", messageId: "u2b", index: 2, count: 2 }]);
    // Regenerate a2b: a fork inside version 2.
    active = [...forkAfter(sql, active, 2, 2), msg("a2c", "assistant")];
    expect(branchPoints(sql, active)).toEqual([
      { parentId: "a1", messageId: "u2b", index: 2, count: 2 },
      { parentId: "u2b", messageId: "a2c", index: 2, count: 2 },
    ]);
    // Back to version 1: the inner fork is not on the path any more.
    active = switchVersion(sql, active, "a1", 1)!;
    expect(ids(active)).toEqual(["u1", "a1", "u2", "a2"]);
    expect(branchPoints(sql, active)).toEqual([{ parentId: "a1", messageId: "u2", index: 1, count: 2 }]);
    // And to version 2 again: the regenerated answer and its own fork come back.
    active = switchVersion(sql, active, "a1", 2)!;
    expect(ids(active)).toEqual(["u1", "a1", "u2b", "a2c"]);
    expect(branchPoints(sql, active).map((p) => `${p.index}/${p.count}`)).toEqual(["2/2", "2/2"]);
    expect(
      branchVersions(sql, active)
        .filter((v) => !v.active)
        .map((v) => ids(v.messages)),
    ).toEqual([["u2", "a2"], ["a2b"]]);
  });

  it("forks at the start of a thread, adds a third version, and refuses unknown forks and versions", () => {
    const { sql } = store();
    let active = [msg("u1", "user"), msg("a1", "assistant")];
    active = [...forkAfter(sql, active, -1, 1), msg("u1b", "user"), msg("a1b", "assistant")];
    active = [...forkAfter(sql, active, -1, 2), msg("u1c", "user")];
    expect(branchPoints(sql, active)).toEqual([{ parentId: null, messageId: "u1c", index: 3, count: 3 }]);
    expect(switchVersion(sql, active, null, 4)).toBeNull();
    expect(switchVersion(sql, active, "elsewhere", 1)).toBeNull();
    expect(ids(switchVersion(sql, active, null, 2)!)).toEqual(["u1b", "a1b"]);
  });

  it("keeps nothing when nothing follows the fork (an answer that never came)", () => {
    const { sql } = store();
    const history = [msg("u1", "user")];
    expect(ids(forkAfter(sql, history, 0, 1))).toEqual(["u1"]);
    expect(branchPoints(sql, history)).toEqual([]);
  });
});

describe("a client's history echo", () => {
  const stored = [msg("u1", "user"), msg("a1", "assistant")];
  const echo = (messages: UIMessage[]) => JSON.stringify({ type: "cf_agent_chat_messages", messages });

  it("is refused when it would bring back a message the thread no longer holds", () => {
    expect(echoAddsMessages(echo([...stored, msg("a-set-aside", "assistant")]), stored)).toBe(true);
  });

  it("passes when it names only stored messages, and any other frame passes untouched", () => {
    expect(echoAddsMessages(echo(stored), stored)).toBe(false);
    expect(echoAddsMessages(JSON.stringify({ type: "cf_agent_tool_approval", toolCallId: "x" }), stored)).toBe(false);
    expect(echoAddsMessages("not json cf_agent_chat_messages", stored)).toBe(false);
  });
});
