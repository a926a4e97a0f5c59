import type { Db } from "../../db/client.ts";
import type { Env } from "../../env.ts";
import { allowlistOf } from "./allowlist.ts";
import { ConnectorUnavailable, openMcpSession } from "./client.ts";
import { type ConnectorRow, type ConnectorStatus, credentialOf, statusFor } from "./connectors.ts";
import { ConnectorSignInNeeded } from "./oauth-provider.ts";
import { connectorToolName } from "./tool-names.ts";

const LIST_TIMEOUT_MS = 10_000;

export interface ConnectorToolsView {
  status: ConnectorStatus;
  /** The tools as the model sees them; empty unless the caller can use the connector. */
  tools: { name: string; tool: string; description: string }[];
  /** Why the tools could not be listed (the server failed or refused), in words a person can act on. */
  error?: string;
}

/** A connector's tools, listed with the caller's own credential (so a member who has not connected sees none). */
export async function connectorTools(
  env: Env,
  db: Db,
  agent: { id: string; accountId: string },
  connector: ConnectorRow,
  userId: string,
): Promise<ConnectorToolsView> {
  const [credential, allowlist] = await Promise.all([credentialOf(env, db, connector.id, userId), allowlistOf(db, agent.accountId)]);
  const status = statusFor(connector, credential !== null, allowlist);
  if (status === "not_allowed" || status === "connect_to_use") return { status, tools: [] };
  const configured = Number(env.MCP_TIMEOUT_MS);
  try {
    const session = await openMcpSession(connector, credential, { timeoutMs: configured > 0 ? configured : LIST_TIMEOUT_MS });
    await session.close();
    return {
      status,
      tools: session.tools.map((tool) => ({
        name: connectorToolName(connector.name, tool.name),
        tool: tool.name,
        description: tool.description ?? tool.title ?? "",
      })),
    };
  } catch (error) {
    if (error instanceof ConnectorUnavailable || error instanceof ConnectorSignInNeeded) return { status, tools: [], error: error.message };
    throw error;
  }
}
