import { agentHub } from "@/operations/agent-access.ts";
import { workspaceForRequest } from "@/operations/workspace.ts";
import { chunkRedactor, redactText, secretValues } from "@/lib/agents/secrets.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; pid: string }> };

/** The process's output so far as text, or with `?follow=1` a server-sent event stream until it exits. */
export const GET = handle(async (request, { params }: Params) => {
  const { id, pid } = await params;
  const env = getEnv();
  const { workspace, agent } = await workspaceForRequest(request, env, id);
  await workspace.getProcess(pid);
  // Commands see the agent's secrets; people reading the logs never do.
  const secrets = secretValues(await (await agentHub(env, agent.id)).openSecrets());
  const follow = new URL(request.url).searchParams.get("follow") === "1";
  if (!follow) {
    let output = "";
    for await (const chunk of workspace.processLogs(pid)) output += chunk;
    return new Response(redactText(output, secrets), {
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const redactor = chunkRedactor(secrets);
      const send = (data: string) => data && controller.enqueue(encoder.encode(`data: ${JSON.stringify({ type: "output", data })}\n\n`));
      try {
        for await (const chunk of workspace.processLogs(pid, { follow: true, signal: request.signal })) send(redactor.push(chunk));
        send(redactor.flush());
        controller.enqueue(encoder.encode(`data: ${JSON.stringify({ type: "exit", process: await workspace.getProcess(pid) })}\n\n`));
      } catch (error) {
        if (!request.signal.aborted)
          controller.enqueue(encoder.encode(`data: ${JSON.stringify({ type: "error", message: String((error as Error).message) })}\n\n`));
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" } });
});
