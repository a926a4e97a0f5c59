/**
 * How a connector's tools are named for the model: `<connector>__<tool>`. OpenAI-style function names allow only
 * letters, digits, `_` and `-` (64 at most), so other characters of an MCP tool name become `_`.
 */
export const TOOL_NAME_SEPARATOR = "__";

export function connectorToolName(connector: string, tool: string): string {
  const safe = tool.replace(/[^A-Za-z0-9_-]/g, "_");
  return `${connector}${TOOL_NAME_SEPARATOR}${safe}`.slice(0, 64);
}

/** The connector a namespaced tool name belongs to, or null for a built-in tool. */
export function connectorOfTool(name: string): string | null {
  const at = name.indexOf(TOOL_NAME_SEPARATOR);
  return at > 0 ? name.slice(0, at) : null;
}
