import type { ExposedPort, Workspace } from "../../sandbox/types.ts";
import { previewUrl } from "./url.ts";

/** What the API and the tool answer for an exposed port: its preview URL on the app's origin. */
export type PortPreview = { port: number; url: string; exposedAt: string };

export function portPreview(workspace: Workspace, exposed: ExposedPort, appOrigin: string): PortPreview {
  return {
    port: exposed.port,
    url: previewUrl(appOrigin, { port: exposed.port, sandboxId: workspace.id, token: exposed.token }),
    exposedAt: exposed.exposedAt,
  };
}

export async function exposeWorkspacePort(workspace: Workspace, port: number, appOrigin: string): Promise<PortPreview> {
  return portPreview(workspace, await workspace.exposePort(port), appOrigin);
}

export async function listPortPreviews(workspace: Workspace, appOrigin: string): Promise<PortPreview[]> {
  return (await workspace.exposedPorts()).map((exposed) => portPreview(workspace, exposed, appOrigin));
}
