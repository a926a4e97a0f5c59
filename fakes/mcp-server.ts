/**
 * A local MCP server built with the official MCP SDK (`@modelcontextprotocol/server`), speaking Streamable HTTP at
 * `/mcp`. Tools: `echo {text}` (answers `echo: <text>`, naming the user whose credential called it), `add {a, b}`,
 * `slow {ms}` (answers after ms, or never) and `fail` (a tool error).
 *
 * Auth modes:
 *   - `none`: anyone may call.
 *   - `bearer`: `Authorization: Bearer <token>` must be one of `tokens` (token → the user it belongs to).
 *   - `oauth`: its own tiny authorization server on the same origin, as MCP's authorization spec describes: a 401 with
 *     `WWW-Authenticate: Bearer resource_metadata=...`, protected-resource and authorization-server metadata, dynamic
 *     client registration (`/register`), `/authorize` (a page with an Authorize button, or with `autoApprove` a
 *     redirect at once) and `/token` (authorization_code with PKCE S256, refresh_token).
 *
 * Faults: `down` answers every request 503; `hang` accepts requests and never answers (for timeouts).
 * `requests` records each request's method, path and Authorization header, for tests to check who called.
 *
 * Run as a CLI: `node fakes/mcp-server.ts --port 8765 [--auth none|bearer|oauth] [--token t=alice]`.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

export type McpAuthMode = "none" | "bearer" | "oauth";

export interface FakeMcpServerOptions {
  auth?: McpAuthMode;
  /** Bearer mode: accepted tokens, each naming the user it belongs to. */
  tokens?: Record<string, string>;
  /** OAuth mode: /authorize redirects back at once instead of showing its page. */
  autoApprove?: boolean;
  /** OAuth mode: the user an approved grant belongs to (default "oauth-user"). */
  oauthUser?: string;
  port?: number;
}

export interface RecordedMcpRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FakeMcpServer {
  url: string;
  /** The MCP endpoint: `<url>/mcp`. */
  mcpUrl: string;
  requests: RecordedMcpRequest[];
  /** Tool calls answered, in order: tool name and the user whose credential made it. */
  calls: { tool: string; user: string }[];
  /** Access tokens this server issued through OAuth. */
  issuedTokens(): string[];
  down: boolean;
  hang: boolean;
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  user: string;
}

function buildServer(user: string, calls: FakeMcpServer["calls"]): McpServer {
  const server = new McpServer({ name: "fake-mcp", version: "1.0.0" });
  server.registerTool("echo", { description: "Echoes the text back.", inputSchema: z.object({ text: z.string() }) }, async ({ text }) => {
    calls.push({ tool: "echo", user });
    return { content: [{ type: "text", text: `echo: ${text} (for ${user})` }] };
  });
  server.registerTool(
    "add",
    { description: "Adds two numbers.", inputSchema: z.object({ a: z.number(), b: z.number() }) },
    async ({ a, b }) => {
      calls.push({ tool: "add", user });
      return { content: [{ type: "text", text: String(a + b) }] };
    },
  );
  server.registerTool(
    "slow",
    { description: "Answers after ms milliseconds (never, without ms).", inputSchema: z.object({ ms: z.number().optional() }) },
    async ({ ms }) => {
      calls.push({ tool: "slow", user });
      await new Promise((resolve) => (ms === undefined ? undefined : setTimeout(resolve, ms)));
      return { content: [{ type: "text", text: "slow done" }] };
    },
  );
  server.registerTool("fail", { description: "Always fails.", inputSchema: z.object({}) }, async () => {
    calls.push({ tool: "fail", user });
    return { isError: true, content: [{ type: "text", text: "the fake tool failed on purpose" }] };
  });
  return server;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => undefined));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}

const html = (body: string) =>
  new Response(`<!doctype html><html><head><title>Fake MCP sign-in</title></head><body>${body}</body></html>`, {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startMcpServer(options: FakeMcpServerOptions = {}): Promise<FakeMcpServer> {
  const mode = options.auth ?? "none";
  const tokens = new Map(Object.entries(options.tokens ?? {}));
  const oauthUser = options.oauthUser ?? "oauth-user";
  const clients = new Map<string, { redirectUris: string[] }>();
  const codes = new Map<string, Grant>();
  const refreshTokens = new Map<string, string>();
  const issued: string[] = [];
  const requests: RecordedMcpRequest[] = [];
  const calls: FakeMcpServer["calls"] = [];
  const hanging = new Set<ServerResponse>();
  let origin = "";

  const issue = (user: string) => {
    const access = `at-${randomUUID()}`;
    const refresh = `rt-${randomUUID()}`;
    tokens.set(access, user);
    refreshTokens.set(refresh, user);
    issued.push(access);
    return Response.json({ access_token: access, token_type: "Bearer", expires_in: 3600, refresh_token: refresh });
  };
  const tokenError = (error: string, description: string) => Response.json({ error, error_description: description }, { status: 400 });

  async function oauthRoute(request: Request, url: URL): Promise<Response | undefined> {
    if (url.pathname.startsWith("/.well-known/oauth-protected-resource")) {
      return Response.json({ resource: `${origin}/mcp`, authorization_servers: [origin], bearer_methods_supported: ["header"] });
    }
    if (
      url.pathname.startsWith("/.well-known/oauth-authorization-server") ||
      url.pathname.startsWith("/.well-known/openid-configuration")
    ) {
      return Response.json({
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        registration_endpoint: `${origin}/register`,
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["none"],
      });
    }
    if (url.pathname === "/register" && request.method === "POST") {
      const body = (await request.json()) as { redirect_uris?: string[] };
      if (!Array.isArray(body.redirect_uris) || body.redirect_uris.length === 0)
        return Response.json({ error: "invalid_redirect_uri", error_description: "redirect_uris is required" }, { status: 400 });
      const clientId = `client-${randomUUID()}`;
      clients.set(clientId, { redirectUris: body.redirect_uris });
      return Response.json(
        { ...body, client_id: clientId, client_id_issued_at: Math.floor(Date.now() / 1000), token_endpoint_auth_method: "none" },
        { status: 201 },
      );
    }
    if (url.pathname === "/authorize") {
      const params = request.method === "POST" ? new URLSearchParams(await request.text()) : url.searchParams;
      const clientId = params.get("client_id") ?? "";
      const redirectUri = params.get("redirect_uri") ?? "";
      const client = clients.get(clientId);
      if (!client?.redirectUris.includes(redirectUri)) return new Response("unknown client or redirect_uri", { status: 400 });
      if (params.get("code_challenge_method") !== "S256" || !params.get("code_challenge"))
        return new Response("PKCE S256 is required", { status: 400 });
      if (request.method === "GET" && !options.autoApprove) {
        const hidden = [...params.entries()]
          .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
          .join("");
        return html(
          `<h1>Fake MCP</h1><p>Allow access to the fake MCP server?</p><form method="post">${hidden}<button>Authorize</button></form>`,
        );
      }
      const code = `code-${randomUUID()}`;
      codes.set(code, { clientId, redirectUri, codeChallenge: params.get("code_challenge")!, user: oauthUser });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      const state = params.get("state");
      if (state) back.searchParams.set("state", state);
      return new Response(null, { status: 302, headers: { location: back.toString() } });
    }
    if (url.pathname === "/token" && request.method === "POST") {
      const params = new URLSearchParams(await request.text());
      if (params.get("grant_type") === "refresh_token") {
        const user = refreshTokens.get(params.get("refresh_token") ?? "");
        return user ? issue(user) : tokenError("invalid_grant", "unknown refresh token");
      }
      const grant = codes.get(params.get("code") ?? "");
      if (!grant) return tokenError("invalid_grant", "unknown or used code");
      codes.delete(params.get("code")!);
      if (grant.clientId !== params.get("client_id") || grant.redirectUri !== params.get("redirect_uri"))
        return tokenError("invalid_grant", "client or redirect_uri differs");
      const challenge = createHash("sha256")
        .update(params.get("code_verifier") ?? "")
        .digest("base64url");
      if (challenge !== grant.codeChallenge) return tokenError("invalid_grant", "PKCE verification failed");
      return issue(grant.user);
    }
    return undefined;
  }

  const handlers = new Map<string, ReturnType<typeof createMcpHandler>>();
  const handlerFor = (user: string) => {
    let handler = handlers.get(user);
    if (!handler) {
      handler = createMcpHandler(() => buildServer(user, calls));
      handlers.set(user, handler);
    }
    return handler;
  };

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (mode === "oauth") {
      const answered = await oauthRoute(request, url);
      if (answered) return answered;
    }
    if (url.pathname !== "/mcp") return new Response("not found", { status: 404 });
    let user = "anonymous";
    if (mode !== "none") {
      const token = request.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
      const owner = token ? tokens.get(token) : undefined;
      if (!owner) {
        const challenge =
          mode === "oauth"
            ? `Bearer error="invalid_token", resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`
            : 'Bearer error="invalid_token"';
        return Response.json(
          { jsonrpc: "2.0", error: { code: -32001, message: "Unauthorized" }, id: null },
          { status: 401, headers: { "www-authenticate": challenge } },
        );
      }
      user = owner;
    }
    return handlerFor(user).fetch(request);
  }

  const state = { down: false, hang: false };
  const server = createServer(async (req, res) => {
    requests.push({ method: req.method ?? "GET", path: req.url ?? "/", authorization: req.headers.authorization });
    if (state.hang) {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (state.down) {
      res.writeHead(503, { "content-type": "text/plain" }).end("the fake MCP server is down");
      return;
    }
    try {
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(await readBody(req));
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const request = new Request(`${origin}${req.url}`, { method: req.method, headers, body });
      await send(res, await route(request));
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    mcpUrl: `${origin}/mcp`,
    requests,
    calls,
    issuedTokens: () => [...issued],
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    get hang() {
      return state.hang;
    },
    set hang(value: boolean) {
      state.hang = value;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const tokens = Object.fromEntries(
    process.argv.flatMap((value, i) => (process.argv[i - 1] === "--token" ? [value.split("=") as [string, string]] : [])),
  );
  const server = await startMcpServer({ auth: (arg("auth") as McpAuthMode) ?? "none", tokens, port: Number(arg("port") ?? 0) });
  console.log(`fake MCP server at ${server.mcpUrl}`);
}
