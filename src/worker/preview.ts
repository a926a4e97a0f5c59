import type { Env } from "../env.ts";
import { previewsOutOfCredits } from "../lib/billing/background-compute.ts";
import { COOKIE_PREFIX } from "../lib/auth/config.ts";
import { PREVIEW_ERROR_HEADER, previewErrorPage, statusForPreviewError } from "../lib/previews/pages.ts";
import { hostnameOf, previewDomain } from "../lib/previews/url.ts";
import { sandboxFor } from "../sandbox/backend.ts";
import type { PreviewTarget } from "../sandbox/types.ts";

export type PreviewHost = PreviewTarget;

// <port>-<sandbox>-<token>.<host>: the sandbox id and token are lowercase alphanumerics, so '-' separates them.
const PREVIEW_LABEL = /^(\d{1,5})-([a-z0-9]{1,36})-([a-z0-9]{8,32})$/;
// A host that starts like a preview (`3000-...`) but does not parse is a broken preview link, never the app.
const PREVIEW_LIKE = /^\d{1,5}-/;
// The app's own cookies (`netm8.*`, `__Host-netm8.*`, `__Secure-netm8.*`): a preview never sets one.
const APP_COOKIE = new RegExp(`^(__host-|__secure-)?${COOKIE_PREFIX}\\.`, "i");

/**
 * Reads a preview target from a Host header such as `3000-abc123-tok3n0123.localhost:8787`, or null. With a preview
 * domain (PREVIEW_DOMAIN) only `<label>.<preview domain>` is a preview; without one, `<label>.<any host>`.
 */
export function parsePreviewHost(host: string | null, domain?: string): PreviewHost | null {
  if (!host) return null;
  const lower = host.toLowerCase();
  const label = lower.split(".")[0] ?? "";
  const match = PREVIEW_LABEL.exec(label);
  if (!match || !lower.includes(".")) return null;
  if (domain && hostnameOf(lower) !== `${label}.${hostnameOf(domain)}`) return null;
  const port = Number(match[1]);
  if (port < 1 || port > 65535) return null;
  return { port, sandboxId: match[2]!, token: match[3]! };
}

/** Whether a host is meant as a preview: on the preview domain, or starting like a preview label. */
function looksLikePreview(host: string | null, domain: string | undefined): boolean {
  if (!host) return false;
  const name = hostnameOf(host.toLowerCase());
  if (domain && (name === hostnameOf(domain) || name.endsWith(`.${hostnameOf(domain)}`))) return true;
  return name.includes(".") && PREVIEW_LIKE.test(name.split(".")[0] ?? "");
}

/**
 * Answers requests for preview hosts, before anything else: the workspace server's own answer (WebSocket upgrades
 * included), or a 404/502 page. The token in the host is the capability; a preview never falls through to the app.
 */
export async function handlePreviewRequest(request: Request, env: Env): Promise<Response | null> {
  const host = request.headers.get("host");
  const domain = previewDomain(env);
  const preview = parsePreviewHost(host, domain);
  if (!preview) return looksLikePreview(host, domain) ? previewErrorPage(404, "invalid_preview_host") : null;
  if (await previewsOutOfCredits(env, preview.sandboxId, new Date())) return previewErrorPage(402, "out_of_credits", preview.port);
  let response: Response;
  try {
    response = await sandboxFor(env).previewFetch(request, preview);
  } catch (error) {
    console.error("preview relay failed", error);
    return previewErrorPage(502, "sandbox_unreachable", preview.port);
  }
  const code = response.headers.get(PREVIEW_ERROR_HEADER);
  if (!code) return withPreviewCookiesOnly(response);
  await response.body?.cancel();
  return previewErrorPage(statusForPreviewError(code), code, preview.port);
}

/** Whether a workspace server's `Set-Cookie` may reach the browser: host-only cookies of the preview host, not ours. */
export function isPreviewOwnCookie(setCookie: string): boolean {
  const [pair = "", ...attributes] = setCookie.split(";");
  // A Domain attribute widens the cookie to a parent domain: the app's, or every other preview's.
  if (attributes.some((a) => a.split("=")[0]!.trim().toLowerCase() === "domain")) return false;
  // A nameless cookie (`=netm8.session_token=...`) is sent back as its value alone, which reads like the name.
  return !APP_COOKIE.test(pair.trim().replace(/^=\s*/, ""));
}

/**
 * The workspace server's answer with only its own host-only cookies, for both sandbox backends. WebSocket handshakes
 * (101) can set cookies too.
 */
function withPreviewCookiesOnly(response: Response): Response {
  const cookies = response.headers.getSetCookie();
  const kept = cookies.filter(isPreviewOwnCookie);
  if (kept.length === cookies.length) return response;
  const headers = new Headers(response.headers);
  headers.delete("set-cookie");
  for (const cookie of kept) headers.append("set-cookie", cookie);
  if (response.webSocket) return new Response(null, { status: 101, webSocket: response.webSocket, headers });
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
