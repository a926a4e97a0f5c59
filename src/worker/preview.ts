import type { Env } from "../env.ts";
import { PREVIEW_ERROR_HEADER, previewErrorPage, statusForPreviewError } from "../lib/previews/pages.ts";
import { sandboxFor } from "../sandbox/backend.ts";
import type { PreviewTarget } from "../sandbox/types.ts";

export type PreviewHost = PreviewTarget;

// <port>-<sandbox>-<token>.<host>: the sandbox id and token are lowercase alphanumerics, so '-' separates them.
const PREVIEW_LABEL = /^(\d{1,5})-([a-z0-9]{1,36})-([a-z0-9]{8,32})$/;
// A host that starts like a preview (`3000-...`) but does not parse is a broken preview link, never the app.
const PREVIEW_LIKE = /^\d{1,5}-/;

/** Reads a preview target from a Host header such as `3000-abc123-tok3n0123.localhost:8787`, or null. */
export function parsePreviewHost(host: string | null): PreviewHost | null {
  if (!host) return null;
  const label = host.toLowerCase().split(".")[0] ?? "";
  const match = PREVIEW_LABEL.exec(label);
  if (!match || !host.includes(".")) return null;
  const port = Number(match[1]);
  if (port < 1 || port > 65535) return null;
  return { port, sandboxId: match[2]!, token: match[3]! };
}

/**
 * Answers requests for preview hosts, before anything else: the workspace server's own answer (WebSocket upgrades
 * included), or a 404/502 page. The token in the host is the capability; a preview never falls through to the app.
 */
export async function handlePreviewRequest(request: Request, env: Env): Promise<Response | null> {
  const host = request.headers.get("host");
  const preview = parsePreviewHost(host);
  if (!preview) {
    const label = host?.toLowerCase().split(".")[0] ?? "";
    return host?.includes(".") && PREVIEW_LIKE.test(label) ? previewErrorPage(404, "invalid_preview_host") : null;
  }
  let response: Response;
  try {
    response = await sandboxFor(env).previewFetch(request, preview);
  } catch (error) {
    console.error("preview relay failed", error);
    return previewErrorPage(502, "sandbox_unreachable", preview.port);
  }
  const code = response.headers.get(PREVIEW_ERROR_HEADER);
  if (!code) return response;
  await response.body?.cancel();
  return previewErrorPage(statusForPreviewError(code), code, preview.port);
}
