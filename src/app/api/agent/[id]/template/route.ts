import { z } from "zod";
import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { previewSite } from "@/lib/previews/ports.ts";
import { applyTemplate, type TemplateEvent } from "@/lib/templates/apply.ts";
import { TEMPLATE_NAMES, templateInfo } from "@/lib/templates/catalog.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

const ApplyInput = z.object({
  template: z.enum(TEMPLATE_NAMES),
  dir: z
    .string()
    .min(1)
    .max(512)
    .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$)).*$/, "dir is a path inside the workspace, without ..")
    .optional(),
});

/** Applies a template: copy, npm install, start the dev server; progress streams as server-sent events. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const input = await readJson(request, ApplyInput);
  const { workspace } = await openWorkspace(request, env, agent);
  templateInfo(input.template);
  const events = applyTemplate(workspace, input.template, {
    dir: input.dir,
    previewSite: previewSite(request, env),
  });
  const encoder = new TextEncoder();
  const send = (event: TemplateEvent | { type: "error"; code: string; message: string }) =>
    encoder.encode(`data: ${JSON.stringify(event)}\n\n`);
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        for await (const event of events) controller.enqueue(send(event));
      } catch (error) {
        const code = (error as { code?: string }).code ?? "internal";
        controller.enqueue(send({ type: "error", code, message: (error as Error).message }));
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" } });
});
