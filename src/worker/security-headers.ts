import { isProduction, type Env } from "../env.ts";
import { requestOrigin, turnstileSiteKey } from "../lib/auth/config.ts";
import { previewDomain, previewOriginPattern } from "../lib/previews/url.ts";

const TURNSTILE_ORIGIN = "https://challenges.cloudflare.com";
const HSTS = "max-age=63072000; includeSubDomains";
const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()";

// The policy depends only on these inputs, and building it parses URLs: the CPU profile of a trivial API request
// showed it as a good part of the Worker's own time. The Host header is the client's, so the memo stays small.
const policies = new Map<string, string>();
const MAX_POLICIES = 64;

/** The Content-Security-Policy of every app response (pages, API, /ws/ HTTP answers, 404s). */
export function appContentSecurityPolicy(request: Request, env: Env): string {
  const origin = requestOrigin(request, env);
  const domain = previewDomain(env);
  const turnstile = turnstileSiteKey(env) ? [TURNSTILE_ORIGIN] : [];
  const key = [origin, env.APP_URL ?? "", domain ?? "", turnstile.join(" ")].join("\n");
  let policy = policies.get(key);
  if (policy === undefined) {
    if (policies.size >= MAX_POLICIES) policies.clear();
    policy = buildContentSecurityPolicy(origin, env.APP_URL, domain, turnstile);
    policies.set(key, policy);
  }
  return policy;
}

function buildContentSecurityPolicy(origin: string, appUrl: string | undefined, domain: string | undefined, turnstile: string[]): string {
  const origins = new Set([origin, ...(appUrl ? [new URL(appUrl).origin] : [])]);
  const previews = [...new Set([...origins].map((appOrigin) => previewOriginPattern({ appOrigin, previewDomain: domain })))];
  const sockets = [...origins].map((o) => o.replace(/^http/, "ws"));
  return [
    "default-src 'self'",
    // Next.js App Router inlines its bootstrap and flight-data scripts. Nonces would force every page to render
    // dynamically (no static or cached pages under OpenNext), and hashes change with every build and page.
    ["script-src 'self' 'unsafe-inline'", ...turnstile].join(" "),
    // React's style props, CodeMirror and the charts write inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // The agents' WebSockets (/ws/...) go to the app's own host; older engines do not let 'self' match ws:/wss:.
    ["connect-src 'self'", ...sockets].join(" "),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // Only the workspace previews (`<port>-<sandbox>-<token>.<PREVIEW_DOMAIN or app host>`) may be framed, by the preview tab.
    ["frame-src", ...previews, ...turnstile].join(" "),
    "worker-src 'self' blob:",
    "manifest-src 'self'",
  ].join("; ");
}

/** Whether HSTS is sent: in production, or wherever the app is served over HTTPS. */
export function sendsHsts(env: Env): boolean {
  return isProduction(env) || (env.APP_URL?.startsWith("https:") ?? false);
}

/**
 * The origins that may frame a preview: APP_URL's, and the app host the preview host hangs under when previews have
 * no domain of their own (with PREVIEW_DOMAIN, the parent is the preview domain, not the app).
 */
export function previewFrameAncestors(request: Request, env: Env): string {
  const url = new URL(request.url);
  const host = request.headers.get("host") ?? url.host;
  const parent = !previewDomain(env) && host.includes(".") ? `${url.protocol}//${host.slice(host.indexOf(".") + 1)}` : null;
  const origins = new Set([...(env.APP_URL ? [new URL(env.APP_URL).origin] : []), ...(parent ? [parent] : [])]);
  return `frame-ancestors ${[...origins].join(" ") || "'none'"}`;
}

/**
 * The security headers of an app response. Headers the response set itself win (a route may need its own), and
 * upgrades (101) pass untouched.
 */
export function withAppSecurityHeaders(request: Request, env: Env, response: Response): Response {
  const headers: [string, string][] = [
    ["content-security-policy", appContentSecurityPolicy(request, env)],
    ["x-frame-options", "DENY"],
    ["x-content-type-options", "nosniff"],
    ["referrer-policy", "strict-origin-when-cross-origin"],
    ["permissions-policy", PERMISSIONS_POLICY],
    ...(sendsHsts(env) ? ([["strict-transport-security", HSTS]] as [string, string][]) : []),
  ];
  return withHeaders(response, (h) => {
    for (const [name, value] of headers) if (!h.has(name)) h.set(name, value);
  });
}

/**
 * A preview response (the workspace's own server, or our not-found page) may be framed by the app only. The
 * policy is added next to any the workspace server sent, so both apply; no X-Frame-Options, which would deny it.
 * No Referer ever leaves a preview: its host carries the preview's token.
 */
export function withPreviewSecurityHeaders(request: Request, env: Env, response: Response): Response {
  return withHeaders(response, (h) => {
    h.append("content-security-policy", previewFrameAncestors(request, env));
    h.set("referrer-policy", "no-referrer");
    if (sendsHsts(env)) h.set("strict-transport-security", HSTS);
  });
}

/** The response with its headers edited (a copy when they are immutable); upgrades (101) pass untouched. */
export function withHeaders(response: Response, edit: (headers: Headers) => void): Response {
  if (response.status === 101 || response.webSocket) return response;
  try {
    edit(response.headers);
    return response;
  } catch {
    // Immutable headers (Response.redirect, a fetch() answer passed through): copy the response first.
    const copy = new Response(response.body, response);
    edit(copy.headers);
    return copy;
  }
}
