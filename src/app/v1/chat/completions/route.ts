import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { readJson } from "@/lib/http/respond.ts";
import { handleOpenAi } from "@/lib/openai/errors.ts";
import { ChatCompletionRequest } from "@/lib/openai/schemas.ts";
import { runChatCompletion } from "@/operations/openai-chat.ts";

export const dynamic = "force-dynamic";

/** Runs a turn on the agent the model names; OpenAI's completion, streamed (`stream: true`) or whole. */
export const POST = handleOpenAi(async (request) => {
  const env = getEnv();
  const body = await readJson(request, ChatCompletionRequest);
  return runChatCompletion(request, env, body, requestTime(request, env));
});
