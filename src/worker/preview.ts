import type { Env } from "../env.ts";

export interface PreviewHost {
  port: number;
  sandboxId: string;
  token: string;
}

// <port>-<sandbox>-<token>.<host>: the sandbox id and token are lowercase alphanumerics, so '-' separates them.
const PREVIEW_LABEL = /^(\d{1,5})-([a-z0-9]{1,36})-([a-z0-9]{8,32})$/;

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
 * Answers requests for preview hosts. Until the previews issue lands, every preview host answers 404: the route
 * exists so that preview traffic can never fall through to the app.
 */
export async function handlePreviewRequest(request: Request, _env: Env): Promise<Response | null> {
  const preview = parsePreviewHost(request.headers.get("host"));
  if (!preview) return null;
  return new Response("Preview not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}
