// Downloads: a directory of a workspace as a tar.gz or zip, made inside the sandbox (executor.py's `archive` mode,
// run as an exec as the workspace user) and streamed to the client as it is written.
import type { ServerResponse } from "node:http";
import type { ArchiveFormat } from "../src/sandbox/types.ts";
import { EXECUTOR_PATH } from "./bwrap.ts";
import { fileOpError, HttpError } from "./errors.ts";
import type { Workspace } from "./workspace.ts";

/** Archive output the client has not read yet, past which the run is ended rather than buffered. */
const MAX_UNREAD_BYTES = 64 * 1024 * 1024;
const ARCHIVE_TIMEOUT_MS = 15 * 60_000;
const MAX_ERROR_CHARS = 4000;

const contentTypes: Record<ArchiveFormat, string> = { "tar.gz": "application/gzip", zip: "application/zip" };

/**
 * Streams `sandboxPath` (absolute, under /workspace) as an archive. The answer's head waits for the first bytes, so a
 * path that does not exist or leads out of the workspace is still a 4xx. Its CPU time is billed like a background
 * process's (the platform's cron bills the background counter).
 */
export async function streamArchive(
  workspace: Workspace,
  sandboxPath: string,
  format: ArchiveFormat,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const tooSlow = new AbortController();
  let errors = "";
  const name = `${sandboxPath === "/workspace" ? "workspace" : sandboxPath.split("/").pop()}.${format}`;
  const result = await workspace.exec(
    {
      command: ["/usr/bin/python3", "-I", "-S", EXECUTOR_PATH, "archive", format, sandboxPath],
      timeoutMs: ARCHIVE_TIMEOUT_MS,
      billedLater: true,
    },
    (stream, data) => {
      if (stream === "stderr") {
        errors = (errors + data.toString("utf8")).slice(0, MAX_ERROR_CHARS);
        return;
      }
      if (!res.headersSent) {
        res.writeHead(200, {
          "content-type": contentTypes[format],
          "content-disposition": `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
          "cache-control": "no-store",
        });
      }
      if (res.writableLength > MAX_UNREAD_BYTES) return tooSlow.abort();
      res.write(data);
    },
    AbortSignal.any([signal, tooSlow.signal]),
  );
  if (result.exitCode === 0 && !tooSlow.signal.aborted) {
    res.end();
    return;
  }
  // A cut-short archive must not look complete: the connection is reset instead of ended.
  if (res.headersSent) return void res.destroy();
  if (tooSlow.signal.aborted) throw new HttpError(503, "client_too_slow", "the archive was not read fast enough");
  const reported = parseError(errors);
  if (result.exitCode === 2 && reported) throw fileOpError(reported.code, reported.message);
  throw new HttpError(
    500,
    "archive_failed",
    `the archive could not be made (exit ${result.exitCode}): ${errors.trim() || result.error || ""}`,
  );
}

function parseError(text: string): { code: string; message: string } | null {
  try {
    const value = JSON.parse(text) as { code?: unknown; message?: unknown };
    return typeof value.code === "string" && typeof value.message === "string" ? { code: value.code, message: value.message } : null;
  } catch {
    return null;
  }
}
