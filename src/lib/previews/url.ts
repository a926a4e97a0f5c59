import type { PreviewTarget } from "../../sandbox/types.ts";

/** DNS allows 63 characters per label; `<port>-<sandbox>-<token>` must fit in one. */
export const MAX_LABEL_LENGTH = 63;

/**
 * The preview URL of a port, on the app's own domain: `https://3000-<id>-<token>.app.example/`. Locally (an IP
 * address or `localhost`) previews live under `*.localhost`, which browsers resolve to loopback.
 */
export function previewUrl(appOrigin: string, target: PreviewTarget): string {
  const label = `${target.port}-${target.sandboxId}-${target.token}`;
  if (label.length > MAX_LABEL_LENGTH) throw new Error(`preview label is ${label.length} characters, more than ${MAX_LABEL_LENGTH}`);
  return `${previewOrigin(appOrigin, label)}/`;
}

/** Every preview origin of an app as one CSP source expression: `https://*.app.example`, `http://*.localhost:8787`. */
export function previewOriginPattern(appOrigin: string): string {
  return previewOrigin(appOrigin, "*");
}

function previewOrigin(appOrigin: string, label: string): string {
  const app = new URL(appOrigin);
  const local = app.hostname === "localhost" || /^[\d.]+$/.test(app.hostname) || app.hostname.includes(":") || app.hostname.startsWith("[");
  const domain = local ? "localhost" : app.hostname.replace(/^www\./, "");
  return `${app.protocol}//${label}.${domain}${app.port ? `:${app.port}` : ""}`;
}
