/** Set by a sandbox backend on its own error answers (never on the workspace server's), with the error code. */
export const PREVIEW_ERROR_HEADER = "x-sandboxd-error";

const NOT_FOUND_TEXT = {
  title: "Preview not found",
  detail: "This preview address is unknown: the link may be wrong or out of date, or the port is no longer exposed.",
};
const UNREACHABLE_TEXT = {
  title: "Nothing is answering on this port",
  detail:
    "The preview exists, but no server in the workspace is listening on this port right now. Start the server (bound to 127.0.0.1 or 0.0.0.0); this page tries again every few seconds.",
};

/** A silent port is often a dev server starting or restarting: its page reloads itself until the server answers. */
const RETRY_SECONDS = 3;

const OUT_OF_CREDITS_TEXT = {
  title: "This preview is paused: out of credits",
  detail:
    "The workspace's account is out of credits (too few left to keep its processes running), so they were stopped. Its files are kept: the owner can add credits on the Billing page and start the server again.",
};

/**
 * The page a person sees when a preview cannot be shown: 404 for unknown previews, 502 for a silent port, 402 for a
 * workspace stopped for lack of credits.
 */
export function previewErrorPage(status: 402 | 404 | 502, code: string, port?: number): Response {
  const text = status === 402 ? OUT_OF_CREDITS_TEXT : status === 404 ? NOT_FOUND_TEXT : UNREACHABLE_TEXT;
  const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(text.title)} · netM8</title>
<style>body{font-family:system-ui,sans-serif;background:#0b0d12;color:#e6e8ee;display:grid;place-items:center;min-height:100vh;margin:0}
main{max-width:32rem;padding:2rem}h1{font-size:1.4rem;margin:0 0 .75rem}p{color:#a9afbd;line-height:1.5}code{color:#e6e8ee}</style></head>
<body><main><h1>${escapeHtml(text.title)}</h1><p>${escapeHtml(text.detail)}</p><p><code>${status} · ${escapeHtml(code)}${port ? ` · port ${port}` : ""}</code></p></main></body></html>`;
  const headers = new Headers({ "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-preview-error": code });
  if (status === 502) headers.set("refresh", String(RETRY_SECONDS));
  return new Response(html, { status, headers });
}

/** Which page a backend error code gets: anything but "nothing listens" reads as an unknown preview. */
export function statusForPreviewError(code: string): 404 | 502 {
  return ["port_not_listening", "bad_gateway", "executor_unavailable", "executor_timeout", "internal"].includes(code) ? 502 : 404;
}
