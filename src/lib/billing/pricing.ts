import { SANDBOX_MILLICREDITS_PER_MINUTE } from "./rules.ts";

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

/** The cost of sandbox time, per started second. */
export function sandboxCost(durationMs: number): number {
  const seconds = Math.ceil(Math.max(0, durationMs) / 1000);
  return Math.ceil((seconds * SANDBOX_MILLICREDITS_PER_MINUTE) / 60);
}
