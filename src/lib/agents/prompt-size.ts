/** A conservative token estimate for a reservation: about three characters per token over the whole value. */
export function estimateTokens(value: unknown): number {
  return Math.ceil(JSON.stringify(value ?? "").length / 3);
}

/**
 * What a prompt carries besides its messages: the system prompt and the tool definitions. Added to a message
 * estimate wherever a turn's first step is priced before the prompt is built (the REST pre-check, a task's budget).
 */
export const PROMPT_OVERHEAD_TOKENS = 4000;

/** The tool definitions alone (their JSON schemas), added to the estimate of their names once the prompt is built. */
export const TOOL_SCHEMA_TOKENS = 2000;
