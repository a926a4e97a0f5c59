import { z } from "zod";
import { threadForRequest } from "@/operations/agent-access.ts";
import { threadTranscript } from "@/operations/thread-transcripts.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";
import { transcriptFileName, transcriptJson, transcriptMarkdown } from "@/lib/threads/transcript.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

const ExportFormat = z.enum(["markdown", "json"], { message: "format must be markdown or json" });

/** Downloads the thread's active path as Markdown (`?format=markdown`, the default) or JSON, secrets redacted. */
export const GET = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const access = await threadForRequest(request, env, id, tid);
  const format = parseWith(ExportFormat, new URL(request.url).searchParams.get("format") ?? "markdown");
  const transcript = await threadTranscript(env, access);
  const now = requestTime(request, env);
  const [body, type, extension] =
    format === "json"
      ? [
          JSON.stringify(transcriptJson({ ...transcript, threadId: tid, agentId: access.agent.id }, now), null, 2),
          "application/json",
          "json" as const,
        ]
      : [transcriptMarkdown(transcript, now), "text/markdown", "md" as const];
  return new Response(body, {
    headers: {
      "content-type": `${type}; charset=utf-8`,
      "content-disposition": `attachment; filename="${transcriptFileName(transcript.title, extension)}"`,
      "cache-control": "no-store",
    },
  });
});
