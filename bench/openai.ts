// OpenAI-compatible API benchmark: time to the first content byte of a streamed turn through `/v1/chat/completions`
// (the adapter from UI message chunks to OpenAI chunks), beside the REST SSE route that runs the very same turn path
// (`POST /api/agent/:id/threads/:tid/messages`) measured in the same run, interleaved, on threads made beforehand.
import { startModelServer } from "../fakes/model-server.ts";
import { signUpVerifiedUser, type TestUser } from "../scripts/lib/harness/users.ts";
import { startTestWorker, type TestWorker } from "../scripts/lib/harness/worker.ts";
import { round, summarize, type Measure } from "./lib/stats.ts";

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Milliseconds from sending the request to the first byte of `marker` in the streamed body; reads the rest. */
async function firstContentMs(send: () => Promise<Response>, marker: string): Promise<number> {
  const started = performance.now();
  const response = await send();
  if (!response.ok) throw new Error(`a turn answered ${response.status}: ${await response.text()}`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let first = NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (Number.isNaN(first) && text.includes(marker)) first = performance.now() - started;
  }
  if (Number.isNaN(first)) throw new Error(`the stream never carried ${marker}`);
  return first;
}

export async function benchOpenAi(options: { runs?: number } = {}): Promise<Measure[]> {
  const runs = options.runs ?? 40;
  const model = await startModelServer();
  const worker: TestWorker = await startTestWorker({
    vars: { LLM_BASE_URL: model.url, SANDBOXD_URL: "http://127.0.0.1:9", SANDBOXD_SECRET: "unused-in-text-turns" },
  });
  try {
    const user: TestUser = await signUpVerifiedUser(worker.url);
    const agentId = (await json<{ agents: { id: string }[] }>(await worker.fetch("/api/agent", { headers: user.headers() }))).agents[0]!.id;
    const { accountId } = await json<{ accountId: string }>(await worker.fetch("/api/credits", { headers: user.headers() }));
    await worker.fetch("/api/test/ledger", { method: "POST", body: JSON.stringify({ action: "grant", accountId, amount: 100_000_000 }) });
    const key = await json<{ key: { secret: string } }>(
      await worker.fetch("/api/keys", {
        method: "POST",
        headers: user.headers({ "content-type": "application/json" }),
        body: JSON.stringify({ name: "bench" }),
      }),
    );
    const bearer = { authorization: `Bearer ${key.key.secret}`, "content-type": "application/json" };
    const newThread = async () =>
      (await json<{ id: string }>(await worker.fetch(`/api/agent/${agentId}/threads`, { method: "POST", headers: bearer }))).id;

    const rest = (threadId: string) =>
      firstContentMs(
        () =>
          worker.fetch(`/api/agent/${agentId}/threads/${threadId}/messages`, {
            method: "POST",
            headers: bearer,
            body: JSON.stringify({ text: "hello there" }),
          }),
        '"text-delta"',
      );
    const openai = (threadId: string) =>
      firstContentMs(
        () =>
          worker.fetch("/v1/chat/completions", {
            method: "POST",
            headers: bearer,
            body: JSON.stringify({
              model: `agent/${agentId}`,
              stream: true,
              thread: threadId,
              messages: [{ role: "user", content: "hello there" }],
            }),
          }),
        '"content":"E',
      );

    // Warm both paths, then interleave so load on the machine falls on both alike.
    await rest(await newThread());
    await openai(await newThread());
    const restMs: number[] = [];
    const openaiMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const [a, b] = [await newThread(), await newThread()];
      if (i % 2 === 0) {
        restMs.push(await rest(a));
        openaiMs.push(await openai(b));
      } else {
        openaiMs.push(await openai(b));
        restMs.push(await rest(a));
      }
    }
    const restSummary = summarize(restMs);
    const openaiSummary = summarize(openaiMs);
    return [
      {
        name: "OpenAI-compatible streamed turn: request -> first content byte",
        unit: "ms",
        median: openaiSummary.median,
        p95: openaiSummary.p95,
        n: openaiSummary.n,
        target: "median <= REST SSE route + 5 ms",
        met: openaiSummary.median <= restSummary.median + 5,
        reference: { name: "REST SSE turn route, first text delta", median: restSummary.median },
        note: `REST p95 ${round(restSummary.p95)} ms`,
      },
    ];
  } finally {
    await worker.dispose();
    await model.close();
  }
}
