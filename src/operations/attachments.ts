import type { Env } from "../env.ts";
import type { AgentRow } from "../lib/agents/agents.ts";
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENTS_PER_MESSAGE,
  attachmentUrl,
  type CheckedAttachment,
  type SavedAttachment,
  checkAttachments,
  formatBytes,
  uploadsDir,
} from "../lib/agents/attachments.ts";
import { Invalid, PayloadTooLarge } from "../lib/errors.ts";
import type { Workspace } from "../sandbox/types.ts";
import { announceWorkspaceChange, openWorkspace } from "./workspace.ts";

/** Room for the multipart framing around the largest upload allowed. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/**
 * The files of an upload request (multipart/form-data, one or more `file` fields), checked before anything is saved:
 * a body declared larger than a full message could be is refused before it is read.
 */
export async function readUpload(request: Request): Promise<CheckedAttachment[]> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > ATTACHMENTS_PER_MESSAGE * ATTACHMENT_MAX_BYTES + FORM_OVERHEAD_BYTES) {
    throw new PayloadTooLarge(`The upload is ${formatBytes(declared)}; a file may be at most ${formatBytes(ATTACHMENT_MAX_BYTES)}`);
  }
  if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    throw new Invalid("Send the files as multipart/form-data, each in a field named `file`");
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new Invalid("The upload is not valid multipart/form-data");
  }
  const files = form.getAll("file").filter((value): value is File => typeof value !== "string");
  return checkAttachments(
    await Promise.all(files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }))),
  );
}

/** A name not yet taken in the folder: "notes.txt", then "notes (2).txt", "notes (3).txt"... */
async function freePath(workspace: Workspace, dir: string, name: string, taken: Set<string>): Promise<string> {
  const dot = name.lastIndexOf(".");
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let n = 1; ; n++) {
    const path = `${dir}/${n === 1 ? name : `${stem} (${n})${extension}`}`;
    if (!taken.has(path) && !(await workspace.exists(path)).exists) return path;
  }
}

/** Saves checked files under uploads/<threadId>/ in the agent's workspace, never over an earlier upload. */
export async function saveAttachments(
  request: Request,
  env: Env,
  agent: AgentRow,
  threadId: string,
  files: CheckedAttachment[],
): Promise<SavedAttachment[]> {
  const { workspace } = await openWorkspace(request, env, agent);
  const dir = uploadsDir(threadId);
  const taken = new Set<string>();
  const saved: SavedAttachment[] = [];
  for (const file of files) {
    const path = await freePath(workspace, dir, file.name, taken);
    taken.add(path);
    await workspace.writeFile(path, file.bytes);
    const name = path.slice(dir.length + 1);
    saved.push({ path, name, mediaType: file.mediaType, kind: file.kind, size: file.bytes.length, url: attachmentUrl(agent.id, path) });
  }
  await announceWorkspaceChange(env, agent.id);
  return saved;
}
