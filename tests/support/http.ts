import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * An HTTP/1.1 request with headers `fetch` does not allow (Host for preview hosts, Upgrade for WebSockets).
 * An upgrade that the server accepts resolves with status 101.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: res.headers, body: "" });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

export const WEBSOCKET_UPGRADE_HEADERS = {
  connection: "Upgrade",
  upgrade: "websocket",
  "sec-websocket-version": "13",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
};

/** What the tests' requests to the Worker take: a JSON body (or a string as is), headers, the account, the time. */
export interface ApiInit extends Omit<RequestInit, "body" | "headers"> {
  /** Sent as JSON, or as it is when a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The billing account to act on (`X-Account`). */
  account?: string;
  /** The simulated time of the request (`X-Test-Now`), as an ISO date or epoch milliseconds. */
  now?: string | number;
}

export interface ApiAnswer<T> {
  status: number;
  ok: boolean;
  /** The JSON body, or the text when it is not JSON (SSE, logs, file bytes), or null when empty. */
  body: T;
  text: string;
  headers: Headers;
}

/** Anyone whose requests carry credentials: a signed-in test user (session cookie or API key). */
export interface Requester {
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** The one HTTP helper of the tests: a JSON request to the Worker, as a user or anonymously. */
export async function apiRequest<T = Record<string, unknown>>(
  baseUrl: string,
  user: Requester | undefined,
  path: string,
  init: ApiInit = {},
): Promise<ApiAnswer<T>> {
  const { body, headers, account, now, ...rest } = init;
  const all: Record<string, string> = {
    "content-type": "application/json",
    ...(account && { "x-account": account }),
    ...(now !== undefined && { "x-test-now": new Date(now).toISOString() }),
    ...headers,
  };
  const response = await fetch(`${baseUrl}${path}`, {
    ...rest,
    headers: user ? user.headers(all) : all,
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text || null;
  try {
    if (text) parsed = JSON.parse(text);
  } catch {
    // Not JSON: the text is the body.
  }
  return { status: response.status, ok: response.ok, body: parsed as T, text, headers: response.headers };
}

/** Like apiRequest, for a request that must succeed: its body, or an error naming the request and its answer. */
export async function apiOk<T = Record<string, unknown>>(
  baseUrl: string,
  user: Requester | undefined,
  path: string,
  init: ApiInit = {},
): Promise<T> {
  const answer = await apiRequest<T>(baseUrl, user, path, init);
  if (!answer.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${answer.status} ${answer.text}`);
  return (answer.status === 204 ? undefined : answer.body) as T;
}

/** A new API key of the user (`POST /api/keys`): its secret, for clients that sign in with `Bearer nm8_...`. */
export async function createApiKey(baseUrl: string, user: Requester, name: string): Promise<string> {
  const { key } = await apiOk<{ key: { secret: string } }>(baseUrl, user, "/api/keys", { method: "POST", body: { name } });
  return key.secret;
}
