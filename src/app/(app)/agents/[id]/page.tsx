import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { agentHub } from "@/operations/agent-access.ts";
import { OpenLatestThread } from "@/components/AgentChat/open-latest-thread.tsx";
import { agentForRequest } from "@/operations/agent-access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Agent" };
export const dynamic = "force-dynamic";

/** The newest thread of the agent, or a first one; null when the caller may not open it (the client says why). */
async function latestThreadId(agentId: string): Promise<string | null> {
  const env = getEnv();
  try {
    // The same checks as the threads API, on this page request's own cookies and headers.
    const { agent } = await agentForRequest(
      new Request(`http://app.internal/agents/${agentId}`, { headers: await headers() }),
      env,
      agentId,
    );
    const hub = await agentHub(env, agent.id);
    const [latest] = await hub.listThreads();
    return (latest ?? (await hub.createThread())).id;
  } catch {
    return null;
  }
}

/**
 * `/agents/:id` opens the most recent chat, or starts the first one, with a redirect from the server. A connector's
 * sign-in comes back here with `?connector=<name>&connected=1`, which the workspace reads to show its connectors.
 */
export default async function AgentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ connector?: string; connected?: string; connector_error?: string }>;
}) {
  const { id } = await params;
  const { connector, connected, connector_error: failed } = await searchParams;
  const threadId = await latestThreadId(id);
  const back =
    typeof connector === "string"
      ? `?${new URLSearchParams({ connector, ...(connected === "1" && { connected }), ...(typeof failed === "string" && { connector_error: failed }) })}`
      : "";
  if (threadId) redirect(`/agents/${id}/threads/${threadId}${back}`);
  return <OpenLatestThread />;
}
