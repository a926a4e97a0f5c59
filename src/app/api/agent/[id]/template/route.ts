import { z } from "zod";
import { agentForRequest } from "@/operations/agent-access.ts";
import { announceWorkspaceChange, openWorkspace } from "@/operations/workspace.ts";
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
  /** Delete what is in dir first: retrying an apply that failed after its files were copied. */
  replace: z.boolean().optional(),
});

/** Applies a template: copy, packages (shared store or npm install), start the dev server; progress streams as server-sent events. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const input = await readJson(request, ApplyInput);
  const { workspace } = await openWorkspace(request, env, agent);
  templateInfo(input.template);
  const events = applyTemplate(workspace, input.template, {
    dir: input.dir,
    replace: input.replace,
    signal: request.signal,
    previewSite: previewSite(request, env),
  });
  const encoder = new TextEncoder();
  const send = (event: TemplateEvent | { type: "error"; code: string; message: string }) =>
    encoder.encode(`data: ${JSON.stringify(event)}\n\n`);
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let copied = false;
      try {
        for await (const event of events) {
          controller.enqueue(send(event));
          // The Files tab of every open window shows the new project as soon as it is there.
          if (event.type === "step" && event.step === "copy" && event.status === "done") {
            copied = true;
            await announceWorkspaceChange(env, agent.id);
          }
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? "internal";
        controller.enqueue(send({ type: "error", code, message: (error as Error).message }));
      }
      if (copied) await announceWorkspaceChange(env, agent.id);
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" } });
});
