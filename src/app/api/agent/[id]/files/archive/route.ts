import { z } from "zod";
import { workspaceForRequest } from "@/operations/workspace.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

const ArchiveQuery = z.strictObject({
  path: z.string().max(1024).default("."),
  format: z.enum(["tar.gz", "zip"]).default("tar.gz"),
});

/** The workspace, or a folder of it, as a tar.gz or zip download, streamed as it is made. */
export const GET = handle(async (request, { params }: Params) => {
  const { workspace } = await workspaceForRequest(request, getEnv(), (await params).id);
  const { path, format } = parseWith(ArchiveQuery, Object.fromEntries(new URL(request.url).searchParams));
  const body = await workspace.archive(path, format);
  const base = path.replace(/\/+$/, "").split("/").pop();
  const name = `${!base || base === "." ? "workspace" : base}.${format}`;
  return new Response(body, {
    headers: {
      "content-type": format === "zip" ? "application/zip" : "application/gzip",
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
