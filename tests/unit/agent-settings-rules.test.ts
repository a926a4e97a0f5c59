import { describe, expect, it } from "vitest";
import { groupThreads } from "../../src/components/AgentChat/thread-groups.ts";
import type { ThreadInfo } from "../../src/components/AgentChat/agent-api.ts";
import { DEFAULT_TASK_CREDITS, taskCreditBudget, TaskCreditBudget, TurnCreditCap } from "../../src/lib/agents/credit-limits.ts";
import { UpdateAgentBody } from "../../src/lib/agents/schemas.ts";
import { starterPrompts } from "../../src/lib/agents/starter-prompts.ts";
import { PRESET_IDS } from "../../src/lib/agents/presets.ts";

describe("an agent's task budget", () => {
  it("gives a task that names no budget the agent's, or the platform's default when the agent has none", () => {
    expect(taskCreditBudget({ taskBudgetMillicredits: 3500 }, undefined)).toBe(3.5);
    expect(taskCreditBudget({ taskBudgetMillicredits: null }, undefined)).toBe(DEFAULT_TASK_CREDITS);
  });

  it("refuses a budget above the agent's, and lets one at or below it through", () => {
    expect(() => taskCreditBudget({ taskBudgetMillicredits: 3000 }, 3.001)).toThrow(/above this agent's task budget of 3 credits/);
    expect(taskCreditBudget({ taskBudgetMillicredits: 3000 }, 3)).toBe(3);
    expect(taskCreditBudget({ taskBudgetMillicredits: null }, 5000)).toBe(5000);
  });

  it("accepts only positive limits up to the maximum, or null", () => {
    expect(TurnCreditCap.safeParse(null).success).toBe(true);
    expect(TurnCreditCap.safeParse(0).success).toBe(false);
    expect(TurnCreditCap.safeParse(-1).success).toBe(false);
    expect(TurnCreditCap.safeParse(0.5).success).toBe(true);
    expect(TaskCreditBudget.safeParse(100_001).success).toBe(false);
    expect(TaskCreditBudget.safeParse("5").success).toBe(false);
  });

  it("refuses unknown fields and unknown presets in an agent update", () => {
    expect(UpdateAgentBody.safeParse({ colour: "blue" }).success).toBe(false);
    expect(UpdateAgentBody.safeParse({ preset: "wizard" }).success).toBe(false);
    expect(UpdateAgentBody.safeParse({ preset: "coding", turnCreditCap: null }).success).toBe(true);
  });
});

describe("the chat sidebar's groups", () => {
  const now = new Date(2026, 11, 5, 15, 0);
  const at = (days: number, hour = 12) => new Date(2026, 11, 5 - days, hour).getTime();
  const thread = (id: string, updatedAt: number, pinned = false): ThreadInfo => ({
    id,
    title: id,
    createdAt: updatedAt,
    updatedAt,
    running: false,
    pinned,
    task: false,
  });

  it("puts pinned threads on top and the rest under Today, Yesterday, Previous 7 days and Older", () => {
    const groups = groupThreads(
      [
        thread("today", at(0, 9)),
        thread("pinned-old", at(40), true),
        thread("just-after-midnight", new Date(2026, 11, 5, 0, 1).getTime()),
        thread("yesterday", at(1, 23)),
        thread("three-days", at(3)),
        thread("seven-days", at(7, 1)),
        thread("eight-days", at(8)),
      ],
      now,
    );
    expect(groups.map((g) => [g.label, g.threads.map((t) => t.id)])).toEqual([
      ["Pinned", ["pinned-old"]],
      ["Today", ["today", "just-after-midnight"]],
      ["Yesterday", ["yesterday"]],
      ["Previous 7 days", ["three-days", "seven-days"]],
      ["Older", ["eight-days"]],
    ]);
  });

  it("leaves out empty groups", () => {
    expect(groupThreads([thread("a", at(0))], now).map((g) => g.label)).toEqual(["Today"]);
    expect(groupThreads([], now)).toEqual([]);
  });
});

describe("starter prompts", () => {
  it("gives every preset a few, and an unknown preset the general assistant's", () => {
    for (const id of PRESET_IDS) expect(starterPrompts(id).length).toBeGreaterThanOrEqual(3);
    expect(starterPrompts("nope")).toEqual(starterPrompts("general"));
  });
});
