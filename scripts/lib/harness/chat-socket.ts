import { randomUUID } from "node:crypto";
import { ChatMessageType } from "../../../src/agent/wire.ts";

export interface ChatFrame {
  type: string;
  id?: string;
  body?: string;
  done?: boolean;
  error?: boolean;
  replay?: boolean;
  seq?: number;
  messages?: { id: string; role: string; parts: unknown[] }[];
  state?: unknown;
  [key: string]: unknown;
}

export interface UIChunk {
  type: string;
  delta?: string;
  toolName?: string;
  toolCallId?: string;
  output?: unknown;
  input?: unknown;
  errorText?: string;
  messageMetadata?: unknown;
  [key: string]: unknown;
}

/**
 * A WebSocket client of an agent or thread Durable Object speaking the SDK's chat protocol, as the browser's
 * `useAgentChat` does: send a chat request, read response frames, resume a stream after reconnecting.
 */
export class ChatSocket {
  readonly frames: ChatFrame[] = [];
  /** `performance.now()` when each frame arrived, by index in `frames` (for latency measurements). */
  readonly arrivals: number[] = [];
  readonly #ws: WebSocket;
  #closed = false;
  /** The close code and reason the server sent, once the socket is closed. */
  closedWith?: { code: number; reason: string };

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", (event) => {
      this.arrivals.push(performance.now());
      try {
        this.frames.push(JSON.parse(String(event.data)) as ChatFrame);
      } catch {
        this.frames.push({ type: "non-json", body: String(event.data) });
      }
    });
    ws.addEventListener("close", (event) => {
      this.#closed = true;
      this.closedWith = { code: event.code, reason: event.reason };
    });
  }

  static open(url: string, headers: Record<string, string>): Promise<ChatSocket> {
    const ws = new WebSocket(url.replace(/^http/, "ws"), { headers } as unknown as string[]);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new ChatSocket(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`WebSocket to ${url} failed`)), { once: true });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(frame: object): void {
    this.#ws.send(JSON.stringify(frame));
  }

  /** Sends a user message (with the history the client knows) and returns the request id. */
  sendMessage(text: string, history: unknown[] = []): string {
    const id = randomUUID();
    const message = { id: randomUUID(), role: "user", parts: [{ type: "text", text }] };
    this.send({
      type: ChatMessageType.CF_AGENT_USE_CHAT_REQUEST,
      id,
      init: { method: "POST", body: JSON.stringify({ messages: [...history, message], trigger: "submit-message" }) },
    });
    return id;
  }

  cancel(requestId: string): void {
    this.send({ type: ChatMessageType.CF_AGENT_CHAT_REQUEST_CANCEL, id: requestId });
  }

  async waitFor(predicate: (frame: ChatFrame) => boolean, timeoutMs = 20_000, what = "a frame"): Promise<ChatFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.frames.map((f) => f.type).join(", ")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits for the end of a request's response and returns its UI message chunks (deduplicated by sequence). */
  async response(requestId: string, timeoutMs = 30_000): Promise<{ chunks: UIChunk[]; error?: string }> {
    const last = await this.waitFor(
      (f) => f.type === ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE && f.id === requestId && Boolean(f.done || f.error),
      timeoutMs,
      `the end of ${requestId}`,
    );
    return { chunks: this.chunks(requestId), error: last.error ? last.body : undefined };
  }

  chunks(requestId: string): UIChunk[] {
    const seen = new Set<number>();
    const chunks: UIChunk[] = [];
    for (const frame of this.frames) {
      if (frame.type !== ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE || frame.id !== requestId || frame.error || !frame.body?.trim())
        continue;
      if (frame.seq !== undefined) {
        if (seen.has(frame.seq)) continue;
        seen.add(frame.seq);
      }
      chunks.push(JSON.parse(frame.body) as UIChunk);
    }
    return chunks;
  }

  /** Asks the server for an active stream to resume (as a reconnecting browser does); returns its request id. */
  async resume(timeoutMs = 10_000): Promise<string> {
    const probeId = randomUUID().slice(0, 8);
    this.send({ type: ChatMessageType.CF_AGENT_STREAM_RESUME_REQUEST, probeId });
    const offer = await this.waitFor(
      (f) => f.type === ChatMessageType.CF_AGENT_STREAM_RESUMING || f.type === ChatMessageType.CF_AGENT_STREAM_RESUME_NONE,
      timeoutMs,
      "a resume offer",
    );
    if (offer.type !== ChatMessageType.CF_AGENT_STREAM_RESUMING || !offer.id) throw new Error("the server had no stream to resume");
    this.send({ type: ChatMessageType.CF_AGENT_STREAM_RESUME_ACK, id: offer.id });
    return offer.id;
  }

  close(): void {
    this.#ws.close();
  }
}

/** Parses a text/event-stream body of UI message chunks (as the messages route sends them). */
export function parseSse(body: string): { chunks: UIChunk[]; done: boolean } {
  const chunks: UIChunk[] = [];
  let done = false;
  for (const line of body.split("\n")) {
    if (!line.startsWith("data: ")) continue;
    const data = line.slice(6);
    if (data === "[DONE]") done = true;
    else chunks.push(JSON.parse(data) as UIChunk);
  }
  return { chunks, done };
}

/** The text a list of chunks spells out. */
export function textOf(chunks: UIChunk[]): string {
  return chunks
    .filter((c) => c.type === "text-delta")
    .map((c) => c.delta ?? "")
    .join("");
}
