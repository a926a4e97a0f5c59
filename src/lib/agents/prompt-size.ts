/** What one attached image costs a model, whatever its size in bytes (providers scale images to a few tiles). */
export const IMAGE_TOKENS = 1500;

/**
 * A conservative token estimate for a reservation: about three characters per token over the whole value, except
 * that image data (bytes or a data: URL) counts as IMAGE_TOKENS, not as its length in base64.
 */
export function estimateTokens(value: unknown): number {
  let images = 0;
  const text = JSON.stringify(value ?? "", (_key, v: unknown) => {
    if (v instanceof Uint8Array || v instanceof ArrayBuffer || (typeof v === "string" && v.startsWith("data:") && v.includes(";base64,"))) {
      images++;
      return "";
    }
    return v;
  });
  return Math.ceil(text.length / 3) + images * IMAGE_TOKENS;
}

/**
 * What a prompt carries besides its messages: the system prompt and the tool definitions. Added to a message
 * estimate wherever a turn's first step is priced before the prompt is built (the REST pre-check, a task's budget).
 */
export const PROMPT_OVERHEAD_TOKENS = 4000;

/** The tool definitions alone (their JSON schemas), added to the estimate of their names once the prompt is built. */
export const TOOL_SCHEMA_TOKENS = 2000;
