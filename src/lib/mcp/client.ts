import {
  type CallToolResult,
  Client,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Tool,
  type Transport,
} from "@modelcontextprotocol/client";
import type { ConnectorRow, McpCredential, OAuthTokenSet } from "./connectors.ts";
import { ConnectorSignInNeeded, StoredOAuthProvider } from "./oauth-provider.ts";

/**
 * A connection to one MCP server for one user's credential, with the official MCP client: Streamable HTTP, or the
 * older HTTP+SSE transport when the server answers that it has no Streamable HTTP endpoint (404/405). Every step has
 * a deadline, so a server that hangs costs a turn seconds, not the turn.
 */

export interface McpSession {
  tools: Tool[];
  call(name: string, args: Record<string, unknown>, options: { timeoutMs: number; signal?: AbortSignal }): Promise<CallToolResult>;
  /** The OAuth tokens the SDK refreshed during the session, to be stored again; undefined when unchanged. */
  refreshedTokens(): OAuthTokenSet | undefined;
  close(): Promise<void>;
}

export class ConnectorUnavailable extends Error {}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectorUnavailable(`${what} did not answer within ${Math.round(ms / 100) / 10} s`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function authFor(connector: ConnectorRow, credential: McpCredential | null) {
  if (credential?.kind === "header") {
    const header = connector.headerName ?? "Authorization";
    const value = /^authorization$/i.test(header) && !/^\w+ /.test(credential.token) ? `Bearer ${credential.token}` : credential.token;
    return { requestInit: { headers: { [header]: value } } };
  }
  if (credential?.kind === "oauth") {
    const provider = new StoredOAuthProvider(
      credential.redirectUrl,
      "",
      { tokens: credential.tokens, client: credential.client as never },
      { interactive: false, connectorName: connector.name },
    );
    return { authProvider: provider, provider };
  }
  return {};
}

function transportsFor(
  connector: ConnectorRow,
  credential: McpCredential | null,
): { streamable: () => Transport; sse: () => Transport; provider?: StoredOAuthProvider } {
  const { provider, ...options } = authFor(connector, credential);
  const url = new URL(connector.url);
  return {
    streamable: () => new StreamableHTTPClientTransport(url, options),
    sse: () => new SSEClientTransport(url, options),
    provider,
  };
}

/** Connects and lists the server's tools; throws ConnectorUnavailable with a sentence a person can act on. */
export async function openMcpSession(
  connector: ConnectorRow,
  credential: McpCredential | null,
  options: { timeoutMs: number },
): Promise<McpSession> {
  const { streamable, sse, provider } = transportsFor(connector, credential);
  const connect = async (transport: Transport) => {
    const client = new Client({ name: "netM8", version: "1.0.0" });
    try {
      await withDeadline(client.connect(transport), options.timeoutMs, `The MCP server of connector ${connector.name}`);
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
  };
  let client: Client;
  try {
    try {
      client = await connect(streamable());
    } catch (error) {
      if (!(error instanceof SdkHttpError && (error.status === 404 || error.status === 405))) throw error;
      client = await connect(sse());
    }
  } catch (error) {
    if (error instanceof ConnectorUnavailable || error instanceof ConnectorSignInNeeded) throw error;
    if (error instanceof SdkHttpError && (error.status === 401 || error.status === 403))
      throw new ConnectorUnavailable(`Connector ${connector.name} refused the credential (HTTP ${error.status}): connect again to use it.`);
    throw new ConnectorUnavailable(`Connector ${connector.name} could not be reached: ${describe(error)}`);
  }
  let tools: Tool[];
  try {
    tools = (await withDeadline(client.listTools(), options.timeoutMs, `Listing the tools of connector ${connector.name}`)).tools;
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error instanceof ConnectorUnavailable
      ? error
      : new ConnectorUnavailable(`Connector ${connector.name} could not list its tools: ${describe(error)}`);
  }
  return {
    tools,
    async call(name, args, { timeoutMs, signal }) {
      return withDeadline(
        client.callTool({ name, arguments: args }, { timeout: timeoutMs, signal }) as Promise<CallToolResult>,
        timeoutMs + 1_000,
        `Tool ${name} of connector ${connector.name}`,
      );
    },
    refreshedTokens: () => (provider?.tokensChanged ? (provider.snapshot().tokens as OAuthTokenSet) : undefined),
    close: () => client.close().catch(() => undefined),
  };
}
