// Agent benchmark: the platform's overhead on time-to-first-token (send a message over a warm WebSocket, first
// text delta at the client) minus the model server's own time to first token measured directly in the same run;
// and 200 concurrent streaming turns from 20 users with every delta accounted for.
import { randomUUID } from "node:crypto";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { startModelServer } from "../fakes/model-server.ts";
import { ChatSocket, textOf } from "../scripts/lib/harness/chat-socket.ts";
import { signUpVerifiedUser, type TestUser } from "../scripts/lib/harness/users.ts";
import { startTestWorker, type TestWorker } from "../scripts/lib/harness/worker.ts";
import { ROOT } from "../scripts/lib/paths.ts";
import { profileWorker } from "./lib/cpu-profile.ts";
import { cpuDuring } from "./lib/process-cpu.ts";
import { formatMeasures, round, sample, summarize, type Measure } from "./lib/stats.ts";
import { ChatMessageType } from "../src/agent/wire.ts";

const PROFILE_PATH = join(ROOT, "bench", "out", "agent-turns.cpuprofile");

export interface AgentBenchOptions {
  turns?: number;
  users?: number;
  threadsPerUser?: number;
  /** Also take a CPU profile of the Worker during 40 more turns (through its inspector). */
  profile?: boolean;
}

async function firstAgent(worker: TestWorker, user: TestUser): Promise<string> {
  const response = await worker.fetch("/api/agent", { headers: user.headers() });
  return ((await response.json()) as { agents: { id: string }[] }).agents[0]!.id;
}

async function newThread(worker: TestWorker, user: TestUser, agentId: string): Promise<string> {
  const response = await worker.fetch(`/api/agent/${agentId}/threads`, { method: "POST", headers: user.headers() });
  return ((await response.json()) as { id: string }).id;
}

/** The model server's own time to first content byte, measured by a direct streaming request. */
async function directModelTtft(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-oss:20b", stream: true, messages: [{ role: "user", content: "hello there" }] }),
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let first = NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (Number.isNaN(first) && text.includes('"content":"')) first = performance.now() - started;
  }
  return first;
}

/** One turn through the REST route as server-sent events: milliseconds from the request to the first text delta. */
async function restTurnTtft(worker: TestWorker, user: TestUser, agentId: string, threadId: string, text: string): Promise<number> {
  const started = performance.now();
  const response = await worker.fetch(`/api/agent/${agentId}/threads/${threadId}/messages`, {
    method: "POST",
    headers: user.headers({ "content-type": "application/json", accept: "text/event-stream" }),
    body: JSON.stringify({ text }),
  });
  if (!response.ok || !response.body) throw new Error(`the REST turn answered ${response.status}: ${await response.text()}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let events = "";
  let first = NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    events += decoder.decode(value, { stream: true });
    if (Number.isNaN(first) && events.includes('"text-delta"')) first = performance.now() - started;
  }
  const answer = events
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map((line) => JSON.parse(line.slice("data: ".length)) as { type: string; delta?: string })
    .filter((chunk) => chunk.type === "text-delta")
    .map((chunk) => chunk.delta)
    .join("");
  if (Number.isNaN(first) || answer !== `Echo: ${text}`) throw new Error(`the REST turn streamed no answer: ${events.slice(0, 600)}`);
  return first;
}

export async function benchAgent(options: AgentBenchOptions = {}): Promise<Measure[]> {
  const turns = options.turns ?? 100;
  const users = options.users ?? 20;
  const threadsPerUser = options.threadsPerUser ?? 10;
  const model = await startModelServer();
  const worker = await startTestWorker({
    vars: { LLM_BASE_URL: model.url, SANDBOXD_URL: "http://127.0.0.1:9", SANDBOXD_SECRET: "unused-in-text-turns" },
  });
  try {
    const user = await signUpVerifiedUser(worker.url);
    const agentId = await firstAgent(worker, user);
    await worker.fetch(`/api/test/ledger`, {
      method: "POST",
      body: JSON.stringify({
        action: "grant",
        accountId: ((await (await worker.fetch("/api/credits", { headers: user.headers() })).json()) as { accountId: string }).accountId,
        amount: 100_000_000,
      }),
    });

    const threadId = await newThread(worker, user, agentId);
    const socket = await ChatSocket.open(`${worker.url}/ws/thread/${agentId}-${threadId}`, user.headers());
    // Each turn's first text delta is timed by its arrival (not by when a poll noticed it), and split at the model
    // server's clock (same process): before the model request arrived, the model's own first token, and after it.
    const ttft: number[] = [];
    const beforeModel: number[] = [];
    const afterModel: number[] = [];
    const turn = async (i: number, record: boolean) => {
      const frameCount = socket.frames.length;
      const requestCount = model.requests.length;
      const started = performance.now();
      const requestId = socket.sendMessage(`hello ${i}`);
      const first = await socket.waitFor(
        (f) => socket.frames.indexOf(f) >= frameCount && f.id === requestId && (f.body ?? "").includes('"text-delta"'),
        30_000,
        "the first delta",
      );
      const arrived = socket.arrivals[socket.frames.indexOf(first)]!;
      await socket.response(requestId);
      if (!record) return;
      const request = model.requests[requestCount]!;
      const modelFirst = request.receivedAt + model.timings.find((t) => t.requestIndex === request.index)!.firstContentMs;
      ttft.push(arrived - started);
      beforeModel.push(request.receivedAt - started);
      afterModel.push(arrived - modelFirst);
    };
    for (let i = 0; i < 5; i++) await turn(i, false);
    for (let i = 0; i < turns; i++) await turn(5 + i, true);
    // The runtime's floor on the same socket: a stream-resume probe is one message to the thread and one answer.
    const roundTrips: number[] = [];
    const probe = async () => {
      const frameCount = socket.frames.length;
      const started = performance.now();
      socket.send({ type: ChatMessageType.CF_AGENT_STREAM_RESUME_REQUEST, probeId: randomUUID().slice(0, 8) });
      const answer = await socket.waitFor(
        (f) => socket.frames.indexOf(f) >= frameCount && f.type === ChatMessageType.CF_AGENT_STREAM_RESUME_NONE,
        10_000,
        "the resume answer",
      );
      roundTrips.push(socket.arrivals[socket.frames.indexOf(answer)]! - started);
    };
    for (let i = 0; i < turns; i++) await probe();
    // CPU time of workerd (every Durable Object, the D1 simulator and the Worker share it locally) per whole turn,
    // beside the CPU of one resume probe (a message to the thread and its answer: the runtime's own cost per message).
    const group = worker.processGroup;
    const cpuTurns = 40;
    const turnCpuMs = group
      ? (await cpuDuring(group, async () => {
          for (let i = 0; i < cpuTurns; i++) await turn(2000 + i, false);
        })) / cpuTurns
      : NaN;
    const probeCpuMs = group
      ? (await cpuDuring(group, async () => {
          for (let i = 0; i < cpuTurns; i++) await probe();
        })) / cpuTurns
      : NaN;
    const profile = options.profile
      ? await profileWorker(
          worker.inspectorPort,
          async () => {
            for (let i = 0; i < 40; i++) await turn(1000 + i, false);
          },
          PROFILE_PATH,
        )
      : undefined;
    socket.close();
    // The same turn through the REST route (server-sent events), on a thread of its own.
    const restThreadId = await newThread(worker, user, agentId);
    for (let i = 0; i < 5; i++) await restTurnTtft(worker, user, agentId, restThreadId, `rest warm-up ${i}`);
    const restTtft: number[] = [];
    for (let i = 0; i < turns; i++) restTtft.push(await restTurnTtft(worker, user, agentId, restThreadId, `rest ${i}`));
    const direct = await sample(turns, () => directModelTtft(model.url));
    const client = summarize(ttft);
    const rest = summarize(restTtft);
    const modelOwn = summarize(direct);
    const floor = summarize(roundTrips);

    const people = await Promise.all(Array.from({ length: users }, () => signUpVerifiedUser(worker.url)));
    const sessions = await Promise.all(
      people.map(async (person) => {
        const agent = await firstAgent(worker, person);
        return Promise.all(
          Array.from({ length: threadsPerUser }, async () => {
            const thread = await newThread(worker, person, agent);
            return { person, socket: await ChatSocket.open(`${worker.url}/ws/thread/${agent}-${thread}`, person.headers()) };
          }),
        );
      }),
    );
    const all = sessions.flat();
    const started = performance.now();
    const results = await Promise.all(
      all.map(async ({ socket }) => {
        const text = `concurrent ${randomUUID()}`;
        const t = performance.now();
        const requestId = socket.sendMessage(text);
        const { chunks, error } = await socket.response(requestId, 120_000);
        socket.close();
        return { ok: !error && textOf(chunks) === `Echo: ${text}`, ms: performance.now() - t };
      }),
    );
    const wall = performance.now() - started;
    const failed = results.filter((r) => !r.ok).length;
    const perTurn = summarize(results.map((r) => r.ms));
    const before = summarize(beforeModel);
    const after = summarize(afterModel);
    const profileNote = profile
      ? `CPU profile of 40 whole turns in workerd, ${profile.totalMs - profile.idleMs} ms busy of ${profile.totalMs} ms (raw profile: ${relative(ROOT, PROFILE_PATH)}). Most self time: ${profile.self
          .slice(0, 12)
          .map((f) => `${f.name} ${f.ms} ms`)
          .join("; ")}`
      : undefined;
    return [
      {
        name: "agent time to first token overhead (client TTFT minus model TTFT)",
        unit: "ms",
        median: round(client.median - modelOwn.median),
        p95: round(client.p95 - modelOwn.median),
        n: client.n,
        target: "median <= 15 ms, p95 <= 30 ms",
        met: client.median - modelOwn.median <= 15 && client.p95 - modelOwn.median <= 30,
        reference: { name: "model server's own TTFT", median: modelOwn.median },
        note: `client TTFT median ${client.median} ms, p95 ${client.p95} ms`,
      },
      {
        name: "agent time to first token overhead through the REST turn route (server-sent events)",
        unit: "ms",
        median: round(rest.median - modelOwn.median),
        p95: round(rest.p95 - modelOwn.median),
        n: rest.n,
        target: "median <= 15 ms, p95 <= 30 ms",
        met: rest.median - modelOwn.median <= 15 && rest.p95 - modelOwn.median <= 30,
        reference: { name: "model server's own TTFT", median: modelOwn.median },
        note: `client TTFT median ${rest.median} ms, p95 ${rest.p95} ms (POST /api/agent/:id/threads/:tid/messages, first text delta)`,
      },
      {
        name: "  TTFT part 1: message sent -> model request arrives",
        unit: "ms",
        ...before,
        reference: { name: "WebSocket round trip to the thread (resume probe)", median: floor.median },
        note: "the thread Durable Object receives and stores the message, reads the agent and its model (D1) beside one hub call, reserves the step (one D1 batch), builds the request",
      },
      {
        name: "  TTFT part 2: model's first token -> client has the delta",
        unit: "ms",
        ...after,
        reference: { name: "WebSocket round trip to the thread (resume probe)", median: floor.median },
        note: "AI SDK stream transforms, ai-chat stores the chunk for resumption and broadcasts it",
      },
      {
        name: "agent turn CPU time in workerd (whole turn, process CPU time / turns)",
        unit: "ms",
        median: round(turnCpuMs),
        n: cpuTurns,
        target: "<= 10 ms",
        met: turnCpuMs <= 10,
        reference: { name: "CPU time of one resume probe message", median: round(probeCpuMs) },
        note: `user + system CPU of the workerd processes over ${cpuTurns} sequential turns of one thread (history grows with the bench: about ${2 * (turns + 5)} messages at the start), from /proc; unlike the sampled profile it does not grow when other work takes the cores`,
      },
      ...(profileNote ? [{ name: "agent turn CPU profile", unit: "count" as const, median: 40, note: profileNote }] : []),
      {
        name: `${all.length} concurrent streaming turns from ${users} users: turn time`,
        unit: "ms",
        ...perTurn,
        target: "0 lost or duplicated deltas",
        met: failed === 0,
        note: `${failed} turns with lost, duplicated or wrong text; wall time ${round(wall)} ms`,
      },
    ];
  } finally {
    await worker.dispose();
    await model.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const measures = await benchAgent({ profile: process.argv.includes("--profile") });
  console.log(formatMeasures(measures));
  for (const m of measures) if (m.note) console.log(`- ${m.name}: ${m.note}`);
}
