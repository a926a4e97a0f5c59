import { z } from "zod";
import { fromCredits, toCredits } from "../billing/rules.ts";
import { Invalid } from "../errors.ts";

/**
 * An agent's own credit limits: the most one turn may be charged, and its tasks' budget (the default for a task
 * that names none, and the most one may name). Stored in milli-credits on the agent row; null means no limit of its own.
 */

/** A task's credit budget when neither the request nor the agent names one. */
export const DEFAULT_TASK_CREDITS = 10;
/** The largest credit budget a task may have, and the largest limit an agent may set. */
export const MAX_CREDIT_LIMIT = 100_000;
/** The smallest per-turn cap: below it a turn could not pay for one model step. */
export const MIN_TURN_CAP_CREDITS = 0.01;

const credits = (label: string, min: number) =>
  z
    .number({ error: `${label} must be a number of credits` })
    .min(min, `${label} must be at least ${min} credits`)
    .max(MAX_CREDIT_LIMIT, `${label} must be at most ${MAX_CREDIT_LIMIT.toLocaleString("en-US")} credits`);

/** Per-turn cap in credits; null removes it. */
export const TurnCreditCap = credits("turnCreditCap", MIN_TURN_CAP_CREDITS).nullable();
/** The task budget default and ceiling in credits; null returns to the platform's default with no ceiling. */
export const TaskCreditBudget = credits("taskCreditBudget", 0.001).nullable();

export interface AgentCreditLimits {
  turnCapMillicredits: number | null;
  taskBudgetMillicredits: number | null;
}

/** The limits as the API shows them, in credits. */
export function creditLimitsJson(limits: AgentCreditLimits) {
  return {
    turnCreditCap: limits.turnCapMillicredits === null ? null : toCredits(limits.turnCapMillicredits),
    taskCreditBudget: limits.taskBudgetMillicredits === null ? null : toCredits(limits.taskBudgetMillicredits),
  };
}

/** Credits (or null) from the API as what the agent row stores. */
export const toMillicredits = (value: number | null): number | null => (value === null ? null : fromCredits(value));

/**
 * The credit budget a new task of this agent gets: the one asked for, which may not be above the agent's task budget,
 * or else the agent's task budget, or else the platform's default.
 */
export function taskCreditBudget(limits: Pick<AgentCreditLimits, "taskBudgetMillicredits">, requested: number | undefined): number {
  const ceiling = limits.taskBudgetMillicredits;
  if (requested === undefined) return ceiling === null ? DEFAULT_TASK_CREDITS : toCredits(ceiling);
  if (ceiling !== null && fromCredits(requested) > ceiling) {
    throw new Invalid(`creditBudget ${requested} is above this agent's task budget of ${toCredits(ceiling)} credits`, {
      field: "creditBudget",
      ceiling: toCredits(ceiling),
    });
  }
  return requested;
}
