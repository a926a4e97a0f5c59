import { jsonSchema, tool, type ToolSet } from "ai";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { type McpSession, openMcpSession } from "../lib/mcp/client.ts";
import { connectorsForTurn, storeCredential, type TurnConnector } from "../lib/mcp/connectors.ts";
import { connectorToolName } from "../lib/mcp/tool-names.ts";
import { truncateOutput } from "./tools.ts";

/*
 * A turn's MCP tools: the agent's connectors, each reached with the credential of the user whose message started the
 * turn (never anyone else's), their tools named `<connector>__<tool>`. A connector that user has not connected, that
 * the team's allow-list leaves out, or that fails to answer in time is left out of the turn and named in the system
 * prompt with the reason; a tool call that fails or times out is a tool error the model reads, and the turn goes on.
 */

const CONNECT_TIMEOUT_MS = 10_000;
const CALL_TIMEOUT_MS = 60_000;

export interface TurnMcpTools {
  tools: ToolSet;
  /** Lines for the system prompt: the connectors this turn cannot use, and why. */
  notes: string[];
  close(): Promise<void>;
}

const NO_MCP: TurnMcpTools = { tools: {}, notes: [], close: async () => {} };

function timeouts(env: Env): { connectMs: number; callMs: number } {
  const configured = Number(env.MCP_TIMEOUT_MS);
  if (Number.isFinite(configured) && configured > 0) return { connectMs: configured, callMs: configured };
  return { connectMs: CONNECT_TIMEOUT_MS, callMs: CALL_TIMEOUT_MS };
}

type ToolContent = { type: string; text?: string; mimeType?: string };

/** What the model reads of a tool's answer: its text parts, and a short mention of anything else. */
function contentText(content: unknown): string {
  if (!Array.isArray(content)) return "";
  return (content as ToolContent[])
    .map((part) => (part.type === "text" ? (part.text ?? "") : `[${part.type}${part.mimeType ? ` ${part.mimeType}` : ""}]`))
    .join("\n");
}

function unavailableNote(entry: TurnConnector, userName: string | null, reason?: string): string {
  const { name } = entry.connector;
  const why =
    reason ??
    (entry.status === "not_allowed"
      ? "the team's MCP allow-list does not include its server"
      : `${userName ?? "the person who started this turn"} has not connected it (connect to use, in the agent's Connectors settings)`);
  return `- Connector "${name}" (tools ${name}__*) is unavailable in this turn: ${why}.`;
}

function toolsOf(entry: TurnConnector, session: McpSession, callMs: number, redact: <T>(value: T) => Promise<T>): ToolSet {
  const connector = entry.connector.name;
  return Object.fromEntries(
    session.tools.map((mcpTool) => [
      connectorToolName(connector, mcpTool.name),
      tool({
        description: `[${connector}] ${mcpTool.description ?? mcpTool.title ?? mcpTool.name}`.slice(0, 1024),
        inputSchema: jsonSchema(mcpTool.inputSchema as Parameters<typeof jsonSchema>[0]),
        execute: async (input: unknown, { abortSignal }) => {
          let result: Awaited<ReturnType<McpSession["call"]>>;
          try {
            result = await session.call(mcpTool.name, (input ?? {}) as Record<string, unknown>, { timeoutMs: callMs, signal: abortSignal });
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw new Error(
              /timed? ?out|did not answer/i.test(message)
                ? `Connector ${connector}: tool ${mcpTool.name} did not answer within ${Math.round(callMs / 1000)} s`
                : `Connector ${connector}: tool ${mcpTool.name} failed: ${message}`,
            );
          }
          const text = await redact(truncateOutput(contentText(result.content)));
          if (result.isError) throw new Error(`Connector ${connector}: tool ${mcpTool.name} reported an error: ${text}`);
          return result.structuredContent ? { text, structured: await redact(result.structuredContent) } : { text };
        },
      }),
    ]),
  );
}

export async function mcpToolsForTurn(
  env: Env,
  agent: { id: string; accountId: string },
  user: { id: string; name: string } | null,
  redact: <T>(value: T) => Promise<T>,
): Promise<TurnMcpTools> {
  const db = getDb(env.DB);
  const entries = await connectorsForTurn(env, db, agent, user?.id ?? null);
  if (entries.length === 0) return NO_MCP;
  const { connectMs, callMs } = timeouts(env);
  const notes: string[] = [];
  const sessions: { entry: TurnConnector; session: McpSession }[] = [];
  const tools: ToolSet = {};
  await Promise.all(
    entries.map(async (entry) => {
      if (entry.status !== "ready" && entry.status !== "connected") {
        notes.push(unavailableNote(entry, user?.name ?? null));
        return;
      }
      try {
        const session = await openMcpSession(entry.connector, entry.credential, { timeoutMs: connectMs });
        sessions.push({ entry, session });
        Object.assign(tools, toolsOf(entry, session, callMs, redact));
      } catch (error) {
        notes.push(unavailableNote(entry, null, error instanceof Error ? error.message : String(error)));
      }
    }),
  );
  return {
    tools,
    notes: notes.sort(),
    async close() {
      await Promise.all(
        sessions.map(async ({ entry, session }) => {
          const refreshed = session.refreshedTokens();
          if (refreshed && entry.credential?.kind === "oauth" && user)
            await storeCredential(env, db, entry.connector.id, user.id, { ...entry.credential, tokens: refreshed }).catch(
              (error: unknown) => console.error("refreshed MCP tokens could not be stored", error),
            );
          await session.close();
        }),
      );
    },
  };
}
