import type { Env } from "../../env.ts";
import type { ExposedPort, Workspace } from "../../sandbox/types.ts";
import { requestOrigin } from "../auth/config.ts";
import { previewDomain, previewUrl, type PreviewSite } from "./url.ts";

/** What the API and the tool answer for an exposed port: its preview URL (PREVIEW_DOMAIN, or the app's domain). */
export type PortPreview = { port: number; url: string; exposedAt: string };

/** Where the previews of a request's app are: the origin the browser used, and PREVIEW_DOMAIN when set. */
export function previewSite(request: Request, env: Pick<Env, "APP_URL" | "ENVIRONMENT" | "PREVIEW_DOMAIN">): PreviewSite {
  return { appOrigin: requestOrigin(request, env), previewDomain: previewDomain(env) };
}

export function portPreview(workspace: Workspace, exposed: ExposedPort, site: PreviewSite): PortPreview {
  return {
    port: exposed.port,
    url: previewUrl(site, { port: exposed.port, sandboxId: workspace.id, token: exposed.token }),
    exposedAt: exposed.exposedAt,
  };
}

export async function exposeWorkspacePort(workspace: Workspace, port: number, site: PreviewSite): Promise<PortPreview> {
  return portPreview(workspace, await workspace.exposePort(port), site);
}

export async function listPortPreviews(workspace: Workspace, site: PreviewSite): Promise<PortPreview[]> {
  return (await workspace.exposedPorts()).map((exposed) => portPreview(workspace, exposed, site));
}
