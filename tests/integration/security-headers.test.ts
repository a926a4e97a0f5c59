import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeResend, type FakeResend } from "../../fakes/resend.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { uniqueEmail, uniqueIp } from "../support/auth.ts";
import { rawRequest, type RawResponse } from "../support/http.ts";
import { waitFor } from "../support/sandboxd.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

/*
 * The security headers every answer of the Worker carries (src/worker/security-headers.ts), on a local Worker with a
 * real sandbox (for a real preview) and on a production-mode one (HSTS, Secure cookies).
 */

type Headers_ = RawResponse["headers"];
const header = (headers: Headers_, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
};
const headersOf = (response: Response): Headers_ => Object.fromEntries(response.headers.entries());

/** The directives of a CSP header as a map from name to its sources. */
function directives(csp: string | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (csp ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

function expectAppHeaders(label: string, headers: Headers_, appOrigin: string) {
  const csp = directives(header(headers, "content-security-policy"));
  const port = new URL(appOrigin).port;
  expect(Object.fromEntries(csp), label).toMatchObject({
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'", appOrigin.replace(/^http/, "ws")],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "frame-src": [`http://*.localhost:${port}`],
  });
  expect(csp.get("script-src"), label).not.toContain("'unsafe-eval'");
  expect(header(headers, "x-frame-options"), label).toBe("DENY");
  expect(header(headers, "x-content-type-options"), label).toBe("nosniff");
  expect(header(headers, "referrer-policy"), label).toBe("strict-origin-when-cross-origin");
  expect(header(headers, "permissions-policy"), label).toMatch(/camera=\(\)/);
  expect(header(headers, "strict-transport-security"), label).toBeUndefined();
}

function cookieAttributes(setCookie: string): { name: string; attributes: Map<string, string> } {
  const [pair, ...rest] = setCookie.split(";");
  const attributes = new Map(rest.map((a) => a.trim().split("=")).map(([k, v]) => [k!.toLowerCase(), v ?? ""] as [string, string]));
  return { name: pair!.slice(0, pair!.indexOf("=")), attributes };
}

async function signUpSetCookie(base: string, host?: string): Promise<string> {
  const response = await rawRequest(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, "cf-connecting-ip": uniqueIp(), ...(host && { host }) },
    body: JSON.stringify({ name: "Cookie Check", email: uniqueEmail("cookie"), password: "long enough password" }),
  });
  expect(response.status, response.body).toBe(200);
  const cookies = [response.headers["set-cookie"] ?? []].flat();
  const session = cookies.find((c) => c.includes("session_token="));
  expect(session, cookies.join("\n")).toBeDefined();
  return session!;
}

describe("security headers on a local Worker", () => {
  let stack: AgentStack;
  let user: TestUser;
  let agentId: string;
  const base = () => stack.worker.url;

  beforeAll(async () => {
    stack = await startAgentStack();
    user = await signUpVerifiedUser(base());
    agentId = ((await (await fetch(`${base()}/api/agent`, { headers: user.headers() })).json()) as { agents: { id: string }[] }).agents[0]!
      .id;
  }, 180_000);
  afterAll(() => stack?.dispose());

  it("puts the CSP and the other headers on pages, API answers, 404s, redirects and /ws/ HTTP answers", async () => {
    const requests: [string, string, RequestInit & { expectStatus: number }][] = [
      ["landing page", "/", { expectStatus: 200 }],
      ["sign-in page", "/sign-in", { expectStatus: 200 }],
      ["signed-in page", `/agents/${agentId}`, { headers: user.headers(), expectStatus: 200 }],
      ["API answer", "/api/me", { headers: user.headers(), expectStatus: 200 }],
      ["API 401", "/api/me", { expectStatus: 401 }],
      ["API 404", `/api/agent/unknown-agent`, { headers: user.headers(), expectStatus: 404 }],
      ["page 404", "/no-such-page", { expectStatus: 404 }],
      ["sign-in redirect", "/agents", { redirect: "manual", expectStatus: 303 }],
      ["agent route 401", `/ws/agent/${agentId}`, { expectStatus: 401 }],
      ["agent route 404", "/ws/nothing-here", { headers: user.headers(), expectStatus: 404 }],
    ];
    for (const [label, path, init] of requests) {
      const response = await fetch(`${base()}${path}`, init);
      expect(response.status, label).toBe(init.expectStatus);
      expectAppHeaders(label, headersOf(response), base());
      await response.body?.cancel();
    }
  });

  it("sends nosniff on the static files Workers Static Assets serves without the Worker", async () => {
    const html = await (await fetch(`${base()}/sign-in`)).text();
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    expect(asset).toBeDefined();
    const response = await fetch(`${base()}${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    await response.body?.cancel();
  });

  it("lets only the app frame a preview and sends no Referer from it: the workspace server's page and the error page", async () => {
    const headers = user.headers({ "content-type": "application/json" });
    const command = `node -e 'require("http").createServer((q, s) => { s.setHeader("content-type", "text/html"); s.end("<h1>framed preview</h1>"); }).listen(3000, "0.0.0.0")'`;
    expect(
      (await fetch(`${base()}/api/agent/${agentId}/processes`, { method: "POST", headers, body: JSON.stringify({ command }) })).status,
    ).toBe(201);
    const exposed = (await (
      await fetch(`${base()}/api/agent/${agentId}/ports`, { method: "POST", headers, body: JSON.stringify({ port: 3000 }) })
    ).json()) as { url: string };
    const host = new URL(exposed.url).host;
    const page = await waitFor(async () => {
      const answer = await rawRequest(`${base()}/`, { headers: { host } });
      return answer.status === 200 ? answer : null;
    }, 20_000);
    expect(page.body).toContain("framed preview");
    const broken = await rawRequest(`${base()}/`, { headers: { host: host.replace(/-[a-z0-9]{24}\./, `-${"0".repeat(24)}.`) } });
    expect(broken.status).toBe(404);
    const appOrigin = new URL(base()).origin;
    for (const [label, answer] of [
      ["preview", page],
      ["preview 404", broken],
    ] as const) {
      const csp = directives(header(answer.headers, "content-security-policy"));
      expect(csp.get("frame-ancestors"), label).toContain(appOrigin);
      expect(csp.get("frame-ancestors"), label).not.toContain("'none'");
      expect(csp.has("frame-src") || csp.has("default-src"), label).toBe(false);
      expect(header(answer.headers, "x-frame-options"), label).toBeUndefined();
      expect(header(answer.headers, "strict-transport-security"), label).toBeUndefined();
      // The preview's host carries its token: no Referer may take it to the sites a preview links to or loads from.
      expect(header(answer.headers, "referrer-policy"), label).toBe("no-referrer");
    }
    // The app's frame-src admits exactly this preview's origin: the pattern's host suffix and port match.
    const frameSrc = directives((await fetch(`${base()}/`)).headers.get("content-security-policy")!).get("frame-src")!;
    const pattern = new URL(frameSrc[0]!.replace("*.", "wildcard."));
    expect(exposed.url.startsWith(`${pattern.protocol}//`)).toBe(true);
    expect(new URL(exposed.url).hostname.endsWith(`.${pattern.hostname.slice("wildcard.".length)}`)).toBe(true);
    expect(new URL(exposed.url).port).toBe(pattern.port);
  });

  it("sets the session cookie HttpOnly, SameSite=Lax, Path=/, host-only, and not Secure over plain http", async () => {
    const { name, attributes } = cookieAttributes(await signUpSetCookie(base()));
    expect(name).toBe("netm8.session_token");
    expect(attributes.has("httponly")).toBe(true);
    expect(attributes.get("samesite")?.toLowerCase()).toBe("lax");
    expect(attributes.get("path")).toBe("/");
    // No Domain attribute: previews live on subdomains of the app and must never receive the session.
    expect(attributes.has("domain")).toBe(false);
    expect(attributes.has("secure")).toBe(false);
  });
});

describe("security headers on a production-mode Worker", () => {
  let resend: FakeResend;
  let worker: TestWorker;
  beforeAll(async () => {
    resend = await startFakeResend();
    worker = await startTestWorker({
      vars: {
        ENVIRONMENT: "production",
        BETTER_AUTH_SECRET: `prod-test-${crypto.randomUUID()}`,
        RESEND_API_KEY: "re_test_key",
        RESEND_BASE_URL: resend.url,
      },
    });
  }, 180_000);
  afterAll(async () => {
    await worker?.dispose();
    await resend?.close();
  });

  it("sends HSTS with includeSubDomains on pages, API answers and 404s", async () => {
    for (const path of ["/", "/api/health", "/no-such-page"]) {
      const response = await worker.fetch(path);
      expect(response.headers.get("strict-transport-security"), path).toBe("max-age=63072000; includeSubDomains");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'none'/);
      await response.body?.cancel();
    }
  });

  it("sets a __Host- session cookie that is Secure, HttpOnly, SameSite=Lax, Path=/ and host-only", async () => {
    const { name, attributes } = cookieAttributes(await signUpSetCookie(worker.url));
    // __Host- (it was __Secure-): no preview or sibling subdomain can set or shadow it.
    expect(name).toBe("__Host-netm8.session_token");
    expect(attributes.has("secure")).toBe(true);
    expect(attributes.has("httponly")).toBe(true);
    expect(attributes.get("samesite")?.toLowerCase()).toBe("lax");
    expect(attributes.get("path")).toBe("/");
    expect(attributes.has("domain")).toBe(false);
  });
});
