import { z } from "zod";
import { announceWorkspaceChange, workspaceForRequest } from "@/operations/workspace.ts";
import { NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
const pathParam = (request: Request, required: boolean) =>
  parseWith(
    required ? z.string().min(1).max(1024) : z.string().max(1024).default("."),
    new URL(request.url).searchParams.get("path") ?? undefined,
  );

/** A file's raw bytes, or a directory's listing as JSON `{path, entries}`. */
export const GET = handle(async (request, { params }: Params) => {
  const { workspace } = await workspaceForRequest(request, getEnv(), (await params).id);
  const path = pathParam(request, false);
  const found = await workspace.exists(path);
  if (!found.exists) throw new NotFound(`No such file or directory: ${path}`);
  if (found.type === "directory") return Response.json({ path, entries: await workspace.listFiles(path) });
  const bytes = await workspace.readFileBytes(path);
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(path.split("/").pop() ?? "file")}`,
      "x-content-type-options": "nosniff",
    },
  });
});

/** Writes the raw request body to a file (parent directories are created). */
export const PUT = handle(async (request, { params }: Params) => {
  const { workspace } = await workspaceForRequest(request, getEnv(), (await params).id);
  const path = pathParam(request, true);
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_UPLOAD_BYTES)
    return Response.json({ error: { code: "invalid_request", message: "The file is larger than 25 MiB" } }, { status: 413 });
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > MAX_UPLOAD_BYTES)
    return Response.json({ error: { code: "invalid_request", message: "The file is larger than 25 MiB" } }, { status: 413 });
  await workspace.writeFile(path, bytes);
  return Response.json({ path, bytes: bytes.length }, { status: 201 });
});

export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { workspace, agent } = await workspaceForRequest(request, env, (await params).id);
  const path = pathParam(request, true);
  await workspace.deleteFile(path, { recursive: true });
  await announceWorkspaceChange(env, agent.id);
  return new Response(null, { status: 204 });
});
