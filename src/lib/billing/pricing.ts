import { SANDBOX_MILLICREDITS_PER_CPU_MINUTE } from "./rules.ts";

export interface ModelRates {
  id: string;
  inputMillicreditsPer1k: number;
  outputMillicreditsPer1k: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

// Rounded up so that no step is ever free by rounding.
const perThousand = (tokens: number, rate: number) => Math.ceil((Math.max(0, tokens) * rate) / 1000);

/** The most a model step can cost: its input plus the step's output-token cap. This is what gets reserved. */
export function stepMaxCost(model: ModelRates, inputTokens: number, maxOutputTokens: number): number {
  return stepCost(model, { inputTokens, outputTokens: maxOutputTokens });
}

/** The real cost of a model step from its token counts. */
export function stepCost(model: ModelRates, usage: TokenUsage): number {
  return perThousand(usage.inputTokens, model.inputMillicreditsPer1k) + perThousand(usage.outputTokens, model.outputMillicreditsPer1k);
}

/** The cost of sandbox compute: CPU milliseconds (or wall-clock ones where CPU is not measured), rounded up. */
export function sandboxCost(computeMs: number): number {
  return Math.ceil((Math.max(0, Math.ceil(computeMs)) * SANDBOX_MILLICREDITS_PER_CPU_MINUTE) / 60_000);
}

/** What a sandbox run is billed for: its CPU time when the backend measured it, else its wall-clock time. */
export function billedComputeMs(run: { durationMs: number; cpuMs?: number }): number {
  return run.cpuMs ?? run.durationMs;
}
