import type { ToolSet } from "ai";
import { describe, expect, it } from "vitest";
import { governTools, pendingApprovals, withDecision } from "../../src/agent/approvals.ts";
import { TOOL_NAMES } from "../../src/agent/tools.ts";
import {
  AGENT_TOOL_NAMES,
  CAREFUL_POLICY,
  changedPolicy,
  decisionFor,
  readPolicy,
  ToolPolicySchema,
} from "../../src/lib/agents/tool-policy.ts";
import { Forbidden } from "../../src/lib/errors.ts";

const tool = (name: string) => ({ description: name, inputSchema: {}, execute: async () => name }) as unknown as ToolSet[string];
const by = { id: "u1", name: "Ada" };

describe("tool approval policy", () => {
  it("names exactly the agent's tools", () => {
    expect([...AGENT_TOOL_NAMES].sort()).toEqual([...TOOL_NAMES].sort());
  });

  it("allows every tool unless told otherwise, and takes the stricter of the agent's policy and the team's floor", () => {
    expect(decisionFor({}, {}, "exec")).toBe("allow");
    expect(decisionFor({ exec: "ask" }, {}, "exec")).toBe("ask");
    expect(decisionFor({ git_push: "allow" }, { git_push: "ask" }, "git_push")).toBe("ask");
    expect(decisionFor({ git_push: "block" }, { git_push: "ask" }, "git_push")).toBe("block");
    expect(CAREFUL_POLICY).toEqual({
      exec: "ask",
      start_process: "ask",
      delete_file: "ask",
      move_file: "ask",
      git_push: "ask",
      expose_port: "ask",
    });
  });

  it("refuses unknown tool names and decisions at the boundary, and reads a damaged stored policy as none", () => {
    expect(ToolPolicySchema.safeParse({ python: "ask" }).success).toBe(false);
    expect(ToolPolicySchema.safeParse({ exec: "sometimes" }).success).toBe(false);
    expect(ToolPolicySchema.safeParse({ exec: "block" }).success).toBe(true);
    expect(readPolicy("{not json")).toEqual({});
    expect(readPolicy('{"exec":"ask","read_file":"allow"}')).toEqual({ exec: "ask" });
  });

  it("refuses a change below the floor and keeps the rest of the policy when a change is allowed", () => {
    expect(() => changedPolicy({}, { git_push: "allow" }, { git_push: "ask" })).toThrow(Forbidden);
    expect(changedPolicy({ exec: "ask" }, { git_push: "block" }, { git_push: "ask" })).toEqual({ exec: "ask", git_push: "block" });
    expect(changedPolicy({ exec: "ask", git_push: "block" }, { exec: "allow" }, {})).toEqual({ git_push: "block" });
  });

  it("hides blocked tools from the model and makes asked tools wait for approval", () => {
    const governed = governTools(
      { exec: tool("exec"), read_file: tool("read_file"), write_file: tool("write_file") },
      { exec: "ask" },
      {
        write_file: "block",
      },
    );
    expect(Object.keys(governed)).toEqual(["exec", "read_file"]);
    expect(governed.exec!.needsApproval).toBe(true);
    expect(governed.read_file!.needsApproval).toBeUndefined();
  });

  it("applies a decision once, records who made it, and leaves other calls waiting", () => {
    const messages = [
      { id: "u", role: "user" as const, parts: [{ type: "text" as const, text: "go" }] },
      {
        id: "a",
        role: "assistant" as const,
        parts: [
          { type: "tool-exec", toolCallId: "c1", state: "approval-requested", input: { command: "ls" }, approval: { id: "ap1" } },
          { type: "tool-exec", toolCallId: "c2", state: "approval-requested", input: { command: "pwd" }, approval: { id: "ap2" } },
        ],
      },
    ] as never;
    expect(pendingApprovals(messages).map((p) => p.toolCallId)).toEqual(["c1", "c2"]);
    const at = new Date("2026-12-05T20:00:00Z");
    const next = withDecision(messages, { toolCallId: "c1", approved: false, by, at }, true)!;
    expect(pendingApprovals(next).map((p) => p.toolCallId)).toEqual(["c2"]);
    const part = next[1]!.parts[0] as unknown as { state: string; approval: { id: string; approved: boolean } };
    expect(part).toMatchObject({ state: "output-denied", approval: { id: "ap1", approved: false } });
    expect(next[1]!.metadata).toEqual({
      approvals: [{ toolCallId: "c1", tool: "exec", input: { command: "ls" }, approved: false, by, at: at.toISOString() }],
    });
    expect(withDecision(next, { toolCallId: "c1", approved: true, by, at }, true)).toBeNull();
    const recordOnly = withDecision(next, { toolCallId: "c2", approved: true, by, at }, false)!;
    expect(pendingApprovals(recordOnly).map((p) => p.toolCallId)).toEqual(["c2"]);
  });
});
