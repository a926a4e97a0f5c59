import type { Env } from "../../env.ts";
import type { PreviewTarget } from "../../sandbox/types.ts";

/** DNS allows 63 characters per label; `<port>-<sandbox>-<token>` must fit in one. */
export const MAX_LABEL_LENGTH = 63;

/** Where previews of an app are served: its origin, and PREVIEW_DOMAIN (`host[:port]`) when previews have their own. */
export type PreviewSite = { appOrigin: string; previewDomain?: string | undefined };

const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{1,5})?$/;

/**
 * PREVIEW_DOMAIN, normalized (`previews.example` or `previews.test:8787`), or undefined when previews hang under the
 * app host. A preview domain under the app's own host would let previews set cookies for the app: refused.
 */
export function previewDomain(env: Pick<Env, "PREVIEW_DOMAIN" | "APP_URL">): string | undefined {
  const raw = env.PREVIEW_DOMAIN?.trim()
    .toLowerCase()
    .replace(/^\*?\./, "")
    .replace(/\/+$/, "");
  if (!raw) return undefined;
  if (!DOMAIN.test(raw)) throw new Error(`PREVIEW_DOMAIN must be a host name such as previews.example.com, not "${raw}"`);
  const host = hostnameOf(raw);
  const app = env.APP_URL ? new URL(env.APP_URL).hostname : null;
  if (app && (host === app || host.endsWith(`.${app}`)))
    throw new Error(`PREVIEW_DOMAIN (${host}) must not be the app's host or under it (${app}): use a domain of its own`);
  return raw;
}

/** The host name of a `host[:port]` string. */
export function hostnameOf(host: string): string {
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : (host.split(":")[0] ?? "");
}

/**
 * The preview URL of a port: `https://3000-<id>-<token>.<PREVIEW_DOMAIN>/` when previews have their own domain, else
 * on the app's own domain, `https://3000-<id>-<token>.app.example/`. Locally (an IP address or `localhost`) previews
 * live under `*.localhost`, which browsers resolve to loopback.
 */
export function previewUrl(site: PreviewSite, target: PreviewTarget): string {
  const label = `${target.port}-${target.sandboxId}-${target.token}`;
  if (label.length > MAX_LABEL_LENGTH) throw new Error(`preview label is ${label.length} characters, more than ${MAX_LABEL_LENGTH}`);
  return `${previewOrigin(site, label)}/`;
}

/** Every preview origin of an app as one CSP source expression: `https://*.previews.example`, `http://*.localhost:8787`. */
export function previewOriginPattern(site: PreviewSite): string {
  return previewOrigin(site, "*");
}

function previewOrigin(site: PreviewSite, label: string): string {
  const app = new URL(site.appOrigin);
  if (site.previewDomain) return `${app.protocol}//${label}.${site.previewDomain}`;
  const local = app.hostname === "localhost" || /^[\d.]+$/.test(app.hostname) || app.hostname.includes(":") || app.hostname.startsWith("[");
  const domain = local ? "localhost" : app.hostname.replace(/^www\./, "");
  return `${app.protocol}//${label}.${domain}${app.port ? `:${app.port}` : ""}`;
}
