import type { ModelMessage } from "ai";
import { describe, expect, it } from "vitest";
import { contextBudget, fitToContext } from "../../src/agent/context-window.ts";
import { estimateTokens } from "../../src/agent/metering.ts";
import { AGENT_HUB_MIGRATIONS } from "../../src/agent/agent-hub-migrations.ts";
import { claimDueRuns, insertSchedule, nextDue, ScheduleInput } from "../../src/agent/schedules.ts";
import { applyMigrations } from "../../src/agent/sql-migrations.ts";
import { chunkRedactor, openSecret, redactText, redactValue, sealSecret } from "../../src/lib/agents/secrets.ts";
import { presetFor, presetTools } from "../../src/lib/agents/presets.ts";
import { TOOL_NAMES } from "../../src/agent/tools.ts";
import { memorySql } from "../support/memory-sql.ts";

const env = { ENVIRONMENT: "test" as const, SECRETS_KEY: "unit-test-key" };

describe("agent secrets", () => {
  it("round-trips a value through AES-GCM and refuses it under another name or key", async () => {
    const sealed = await sealSecret(env, "agent1", "GITHUB_TOKEN", "ghp_supersecretvalue");
    expect(sealed).not.toContain("ghp_");
    expect(await openSecret(env, "agent1", "GITHUB_TOKEN", sealed)).toBe("ghp_supersecretvalue");
    await expect(openSecret(env, "agent1", "OTHER", sealed)).rejects.toThrow();
    await expect(openSecret({ ...env, SECRETS_KEY: "another" }, "agent1", "GITHUB_TOKEN", sealed)).rejects.toThrow();
  });

  it("refuses to work in production without SECRETS_KEY", async () => {
    await expect(sealSecret({ ENVIRONMENT: "production" }, "a", "B", "value")).rejects.toThrow(/SECRETS_KEY/);
  });

  it("redacts secret values in text, nested results and streams split mid-secret", () => {
    const secrets = { TOKEN: "s3cr3t-value", PIN: "12" };
    expect(redactText("token=s3cr3t-value; pin 12", secrets)).toBe("token=[secret TOKEN]; pin 12");
    expect(redactValue({ stdout: ["a s3cr3t-value"], exitCode: 0 }, secrets)).toEqual({ stdout: ["a [secret TOKEN]"], exitCode: 0 });
    const redactor = chunkRedactor(secrets);
    const out = ["x s3cr", "3t-va", "lue y"].map((c) => redactor.push(c)).join("") + redactor.flush();
    expect(out).toBe("x [secret TOKEN] y");
    const live = chunkRedactor(secrets);
    expect(live.push("server started\n")).toBe("server started\n");
  });
});

describe("fitting a conversation into the context window", () => {
  const turn = (i: number): ModelMessage[] => [
    { role: "user", content: `question ${i} ${"x".repeat(600)}` },
    { role: "assistant", content: [{ type: "text", text: `answer ${i} ${"y".repeat(600)}` }] },
  ];

  it("leaves a conversation that fits untouched", () => {
    const messages = turn(1);
    expect(fitToContext(messages, 10_000)).toEqual({ messages, summarizedCount: 0 });
  });

  it("keeps the newest turns verbatim and summarizes the older ones within the budget", () => {
    const messages = Array.from({ length: 30 }, (_, i) => turn(i)).flat();
    const fitted = fitToContext(messages, 3000);
    expect(fitted.summarizedCount).toBeGreaterThan(0);
    expect(fitted.messages.at(-1)).toEqual(messages.at(-1));
    expect(estimateTokens(fitted.messages) + estimateTokens(fitted.summary)).toBeLessThanOrEqual(3000);
    expect(fitted.summary).toContain("question 0");
  });

  it("never starts the kept part with a tool result cut off from its call", () => {
    const messages: ModelMessage[] = [
      ...turn(0),
      { role: "assistant", content: [{ type: "tool-call", toolCallId: "c1", toolName: "exec", input: { command: "ls" } }] },
      {
        role: "tool",
        content: [{ type: "tool-result", toolCallId: "c1", toolName: "exec", output: { type: "text", value: "z".repeat(3000) } }],
      },
      { role: "user", content: "and now?" },
    ];
    const fitted = fitToContext(messages, 900);
    expect(fitted.messages[0]!.role).not.toBe("tool");
  });

  it("narrows the catalog window to LLM_CONTEXT_TOKENS and keeps room for the output", () => {
    expect(contextBudget({ LLM_BASE_URL: "http://127.0.0.1:9999/v1", LLM_CONTEXT_TOKENS: "8192" }, 131072)).toEqual({
      windowTokens: 8192,
      maxOutputTokens: 2048,
    });
    expect(contextBudget({ LLM_BASE_URL: "http://127.0.0.1:11434/v1" }, 131072).windowTokens).toBe(32768);
  });
});

describe("schedules", () => {
  it("reads cron hours in the schedule's time zone", () => {
    const next = nextDue({ cron: "0 9 * * *", timezone: "America/New_York", run_at: null }, Date.parse("2030-06-01T00:00:00Z"));
    expect(new Date(next!).toISOString()).toBe("2030-06-01T13:00:00.000Z");
  });

  it("claims each due time once, however often it is woken, and catches up missed ones", () => {
    const storage = memorySql();
    applyMigrations(storage, AGENT_HUB_MIGRATIONS);
    const { sql } = storage;
    const t0 = Date.parse("2030-01-01T00:00:30Z");
    insertSchedule(sql, "s1", ScheduleInput.parse({ goal: "tick", cron: "* * * * *" }), t0);
    expect(claimDueRuns(sql, t0).length).toBe(0);
    expect(claimDueRuns(sql, t0 + 60_000).map((r) => new Date(r.dueAt).toISOString())).toEqual(["2030-01-01T00:01:00.000Z"]);
    expect(claimDueRuns(sql, t0 + 60_000)).toEqual([]);
    expect(claimDueRuns(sql, t0 + 200_000).map((r) => new Date(r.dueAt).toISOString())).toEqual([
      "2030-01-01T00:02:00.000Z",
      "2030-01-01T00:03:00.000Z",
    ]);
  });

  it("refuses a cron that is not five fields and a time zone that does not exist", () => {
    expect(ScheduleInput.safeParse({ goal: "g", cron: "every minute" }).success).toBe(false);
    expect(ScheduleInput.safeParse({ goal: "g", cron: "* * * * *", timezone: "Mars/Olympus" }).success).toBe(false);
    expect(ScheduleInput.safeParse({ goal: "g" }).success).toBe(false);
  });
});

describe("presets", () => {
  it("gives the data analyst no git tools and the others every tool", () => {
    expect(presetTools(presetFor("data-analyst"), TOOL_NAMES)).not.toContain("git_clone");
    expect(presetTools(presetFor("data-analyst"), TOOL_NAMES)).toContain("run_code");
    expect(presetTools(presetFor("coding"), TOOL_NAMES)).toEqual(TOOL_NAMES);
    expect(presetFor("unknown").id).toBe("general");
  });
});
