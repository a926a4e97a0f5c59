import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handleOpenAi } from "@/lib/openai/errors.ts";
import { listAgentModels } from "@/operations/openai-chat.ts";

export const dynamic = "force-dynamic";

/** The acting account's agents as OpenAI models named `agent/<agentId>`. */
export const GET = handleOpenAi(async (request) => Response.json(await listAgentModels(request, getEnv())));
