import { NoSuchToolError, type ToolCallRepairFunction, type ToolSet } from "ai";
import { TOOL_NAMES } from "./tools.ts";

/** Parses almost-JSON the way models write it: inside code fences, with trailing commas. Null if still not JSON. */
export function lenientJson(text: string): unknown {
  const candidates = [text, text.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, "")];
  const braces = text.match(/\{[\s\S]*\}/);
  if (braces) candidates.push(braces[0]);
  for (const candidate of candidates) {
    for (const attempt of [candidate, candidate.replace(/,\s*([}\]])/g, "$1")]) {
      try {
        const value: unknown = JSON.parse(attempt);
        if (value && typeof value === "object" && !Array.isArray(value)) return value;
      } catch {
        // Try the next form.
      }
    }
  }
  return null;
}

// gpt-oss was trained with built-in tools; when it reaches for one, route the call to ours.
const BUILTIN_ALIASES: Record<string, (input: string) => { toolName: string; input: unknown } | null> = {
  python: (input) => ({
    toolName: "run_code",
    input: { language: "python", code: (lenientJson(input) as { code?: string } | null)?.code ?? input },
  }),
};

/**
 * Repairs what can be repaired without guessing (almost-JSON arguments, a built-in tool name, a tool name in the
 * wrong case). Anything else returns null: the SDK then hands the model a tool error naming the problem, and the
 * model corrects its call in the next step instead of the turn crashing.
 */
export const repairToolCall: ToolCallRepairFunction<ToolSet> = async ({ toolCall, error }) => {
  if (NoSuchToolError.isInstance(error)) {
    const alias = BUILTIN_ALIASES[toolCall.toolName];
    const mapped = alias?.(toolCall.input);
    if (mapped) return { ...toolCall, toolName: mapped.toolName, input: JSON.stringify(mapped.input) };
    const sameName = TOOL_NAMES.find((name) => name.toLowerCase() === toolCall.toolName.toLowerCase().replace(/^functions\./, ""));
    return sameName ? { ...toolCall, toolName: sameName } : null;
  }
  const fixed = lenientJson(toolCall.input);
  return fixed ? { ...toolCall, input: JSON.stringify(fixed) } : null;
};
