import { startModelServer, type FakeModelServer, type ModelServerOptions } from "../../fakes/model-server.ts";
import { removeDataDir, startSandboxd, type SandboxdProcess } from "./sandboxd.ts";
import { startTestWorker, type TestWorker } from "./worker.ts";

export interface AgentStack {
  worker: TestWorker;
  model: FakeModelServer;
  /** Replace it with a restarted one (same port, secret and data dir) after crashing it; dispose stops that one. */
  sandboxd: SandboxdProcess;
  dispose(): Promise<void>;
}

/**
 * Everything an agent needs, real except the model: sandboxd (bubblewrap), the fake OpenAI-compatible server (so
 * the test can script it) and the Worker under workerd wired to both.
 */
export async function startAgentStack(
  options: { model?: ModelServerOptions; vars?: Record<string, string>; sandboxdEnv?: Record<string, string> } = {},
): Promise<AgentStack> {
  const [sandboxd, model] = await Promise.all([startSandboxd({ env: options.sandboxdEnv }), startModelServer(options.model)]);
  const worker = await startTestWorker({
    vars: {
      LLM_PROVIDER: "openai-compatible",
      LLM_BASE_URL: model.url,
      LLM_MODEL: "gpt-oss:20b",
      SANDBOXD_URL: sandboxd.url,
      SANDBOXD_SECRET: sandboxd.secret,
      ...options.vars,
    },
  }).catch(async (error: unknown) => {
    await model.close();
    await sandboxd.stop();
    removeDataDir(sandboxd.dataDir);
    throw error;
  });
  const stack: AgentStack = {
    worker,
    model,
    sandboxd,
    async dispose() {
      await worker.dispose();
      await model.close();
      // A test may have replaced sandboxd with a restarted one: stop whichever runs now.
      await stack.sandboxd.stop();
      removeDataDir(stack.sandboxd.dataDir);
    },
  };
  return stack;
}
