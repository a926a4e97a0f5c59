import { randomUUID } from "node:crypto";
import { messageText, type FakeModelServer } from "../../../fakes/model-server.ts";
import { ChatSocket, textOf, type ChatFrame } from "./chat-socket.ts";
import { signUpVerifiedUser, type TestUser } from "./users.ts";
import { ChatMessageType } from "../../../src/agent/wire.ts";

export interface ChatLoadOptions {
  /** The running platform (npm start), e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** The fake model server the platform's LLM_BASE_URL points at; its timings are the reference. */
  model: FakeModelServer;
  users: number;
  turnsPerUser: number;
  /** Sign-ups in flight at once (each hashes a password with PBKDF2 in the Worker). Default 8. */
  signUpConcurrency?: number;
  /** Longest wait for one turn. Default 180 s. */
  turnTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface TurnSample {
  user: number;
  turn: number;
  /** Client: message sent on the WebSocket → the frame that ends the response arrived. */
  clientMs: number;
  /** The model server's own time for this turn's requests (arrival → end of response, summed). */
  modelMs: number;
  /** sandboxd's own duration of the exec command (from the tool result). */
  sandboxMs: number;
  /** clientMs − modelMs − sandboxMs: what the platform adds (Worker, Durable Objects, D1 ledger, sandbox setup). */
  overheadMs: number;
}

export interface ChatLoadReport {
  users: number;
  turnsPerUser: number;
  signUpMs: number;
  /** Wall time of the chat phase (all users' turns, concurrently). */
  chatWallMs: number;
  turns: TurnSample[];
  /** Every problem found: failed requests, errored turns, wrong, lost or duplicated text, wrong history. */
  failures: string[];
  /** Turns that ended with exactly the expected text and tool output. */
  okTurns: number;
  /** Users whose stored history is exactly their turns, in order. */
  exactHistories: number;
}

interface Session {
  index: number;
  user: TestUser;
  agentId: string;
  threadId: string;
}

async function mapLimit<T, R>(items: T[], limit: number, run: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await run(items[i]!, i) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as T;
}

async function prepareSession(baseUrl: string, index: number): Promise<Session> {
  const user = await signUpVerifiedUser(baseUrl, { name: `Load user ${index}` });
  const { agents } = await json<{ agents: { id: string }[] }>(
    await fetch(`${baseUrl}/api/agent`, { headers: user.headers() }),
    "list agents",
  );
  if (agents.length !== 1) throw new Error(`user ${index} has ${agents.length} agents, expected the default one`);
  const agentId = agents[0]!.id;
  const thread = await json<{ id: string }>(
    await fetch(`${baseUrl}/api/agent/${agentId}/threads`, { method: "POST", headers: user.headers() }),
    "create thread",
  );
  return { index, user, agentId, threadId: thread.id };
}

interface TurnOutcome {
  sample?: TurnSample;
  sent: string;
  finalText?: string;
  failure?: string;
}

/** Runs one user's turns in order on one WebSocket; each turn makes the model call `exec` with a unique token. */
async function chat(baseUrl: string, model: FakeModelServer, session: Session, turns: number, timeoutMs: number): Promise<TurnOutcome[]> {
  const socket = await ChatSocket.open(`${baseUrl}/ws/thread/${session.agentId}-${session.threadId}`, session.user.headers());
  const outcomes: TurnOutcome[] = [];
  try {
    for (let turn = 0; turn < turns; turn++) {
      const token = `tok-${session.index}-${turn}-${randomUUID().slice(0, 8)}`;
      const sent = `Load turn ${turn}: [[tool:exec:echo ${token}]]`;
      const started = performance.now();
      const requestId = socket.sendMessage(sent);
      const isEnd = (f: ChatFrame) =>
        f.type === ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE && f.id === requestId && Boolean(f.done || f.error);
      const deadline = Date.now() + timeoutMs;
      let endIndex = -1;
      while ((endIndex = socket.frames.findIndex(isEnd)) < 0 && !socket.closed && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      if (endIndex < 0) {
        const why = socket.closed
          ? `the server closed the WebSocket (${JSON.stringify(socket.closedWith)})`
          : `no end of the response within ${timeoutMs} ms`;
        outcomes.push({
          sent,
          failure: `user ${session.index} turn ${turn}: ${why}; frames: ${socket.frames
            .map((f) => f.type)
            .join(", ")
            .slice(0, 200)}`,
        });
        break;
      }
      const chunks = socket.chunks(requestId);
      const error = socket.frames[endIndex]!.error ? (socket.frames[endIndex]!.body ?? "error") : undefined;
      const clientMs = socket.arrivals[endIndex]! - started;
      const fail = (why: string) => outcomes.push({ sent, failure: `user ${session.index} turn ${turn}: ${why}` });
      if (error) {
        fail(`the turn ended with an error: ${error.slice(0, 300)}`);
        continue;
      }
      const text = textOf(chunks);
      const outputs = chunks.filter((c) => c.type === "tool-output-available");
      const output = outputs[0]?.output as { exitCode?: number; stdout?: string; durationMs?: number } | undefined;
      if (outputs.length !== 1 || output?.exitCode !== 0 || output.stdout !== `${token}\n`) {
        fail(`expected one exec result printing ${token}, got ${JSON.stringify(outputs).slice(0, 300)}`);
        continue;
      }
      // The model server answered the tool result with `Tool result: <the tool message it received>`.
      const requests = model.requests.filter((r) => r.lastUserMessage === sent);
      const toolRequest = requests.find((r) => r.lastMessage?.role === "tool");
      const toolMessage = messageText(toolRequest?.lastMessage);
      const expected = `Tool result: ${toolMessage.slice(0, 200)}${toolMessage.length > 200 ? "…" : ""}`;
      if (requests.length !== 2 || !toolMessage.includes(token) || text !== expected) {
        fail(
          `expected 2 model requests and the text ${JSON.stringify(expected)}, got ${requests.length} requests and ${JSON.stringify(text).slice(0, 300)}`,
        );
        continue;
      }
      const timings = requests.map((r) => model.timings.find((t) => t.requestIndex === r.index)?.totalMs);
      if (timings.some((t) => t === undefined)) {
        fail("a model response did not end normally");
        continue;
      }
      const modelMs = timings.reduce((sum, t) => sum! + t!, 0)!;
      const sandboxMs = output.durationMs ?? 0;
      outcomes.push({
        sent,
        finalText: text,
        sample: { user: session.index, turn, clientMs, modelMs, sandboxMs, overheadMs: clientMs - modelMs - sandboxMs },
      });
    }
  } finally {
    socket.close();
  }
  return outcomes;
}

interface StoredMessage {
  role: string;
  parts: { type: string; text?: string }[];
}

/** The stored history must be exactly user, assistant, user, assistant... with the texts of the turns. */
async function checkHistory(baseUrl: string, session: Session, outcomes: TurnOutcome[], turns: number): Promise<string | undefined> {
  const { messages } = await json<{ messages: StoredMessage[] }>(
    await fetch(`${baseUrl}/api/agent/${session.agentId}/threads/${session.threadId}/messages`, { headers: session.user.headers() }),
    "read history",
  );
  const textOfMessage = (m: StoredMessage) =>
    m.parts
      .filter((p) => p.type === "text")
      .map((p) => p.text ?? "")
      .join("");
  const got = messages.map((m) => `${m.role}: ${textOfMessage(m)}`);
  const want = outcomes.flatMap((o) => [`user: ${o.sent}`, `assistant: ${o.finalText ?? "?"}`]);
  if (messages.length !== 2 * turns || JSON.stringify(got) !== JSON.stringify(want)) {
    return `user ${session.index}: stored history has ${messages.length} messages (expected ${2 * turns}): ${JSON.stringify(got).slice(0, 400)}`;
  }
  return undefined;
}

/**
 * The chat load: signs up `users` people (each from its own client IP), then all of them at once chat with their
 * default agent over WebSocket, `turnsPerUser` turns each, every turn running `echo <unique token>` in the sandbox
 * through the model's exec tool call. Checks every turn's text and tool output and every stored history.
 */
export async function runChatLoad(options: ChatLoadOptions): Promise<ChatLoadReport> {
  const log = options.log ?? (() => {});
  const failures: string[] = [];
  const signUpStarted = performance.now();
  const prepared = await mapLimit(
    Array.from({ length: options.users }, (_, i) => i),
    options.signUpConcurrency ?? 8,
    (i) => prepareSession(options.baseUrl, i),
  );
  const signUpMs = performance.now() - signUpStarted;
  const sessions: Session[] = [];
  prepared.forEach((result, i) => {
    if (result.status === "fulfilled") sessions.push(result.value);
    else failures.push(`user ${i}: sign-up or setup failed: ${String((result.reason as Error)?.message ?? result.reason).slice(0, 300)}`);
  });
  log(`load: ${sessions.length}/${options.users} users signed up in ${Math.round(signUpMs)} ms`);

  const chatStarted = performance.now();
  const chats = await Promise.allSettled(
    sessions.map((s) => chat(options.baseUrl, options.model, s, options.turnsPerUser, options.turnTimeoutMs ?? 180_000)),
  );
  const chatWallMs = performance.now() - chatStarted;
  log(`load: chat phase took ${Math.round(chatWallMs)} ms`);

  const turns: TurnSample[] = [];
  let exactHistories = 0;
  await mapLimit(sessions, 16, async (session, i) => {
    const result = chats[i]!;
    if (result.status === "rejected") {
      failures.push(`user ${session.index}: chat failed: ${String((result.reason as Error)?.message ?? result.reason).slice(0, 300)}`);
      return;
    }
    for (const outcome of result.value) {
      if (outcome.failure) failures.push(outcome.failure);
      if (outcome.sample) turns.push(outcome.sample);
    }
    if (result.value.length < options.turnsPerUser)
      failures.push(`user ${session.index}: only ${result.value.length} of ${options.turnsPerUser} turns ran`);
    try {
      const wrong = await checkHistory(options.baseUrl, session, result.value, options.turnsPerUser);
      if (wrong) failures.push(wrong);
      else exactHistories++;
    } catch (e) {
      failures.push(`user ${session.index}: ${(e as Error).message}`);
    }
  });
  return {
    users: options.users,
    turnsPerUser: options.turnsPerUser,
    signUpMs,
    chatWallMs,
    turns,
    failures,
    okTurns: turns.length,
    exactHistories,
  };
}
