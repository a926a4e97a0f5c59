// Terminal sessions: a shell on a pseudo-terminal per session (Workspace.startShell), reached over a WebSocket. The
// wire format is the one of @cloudflare/sandbox's terminal, so the browser speaks one protocol to both backends:
// binary frames carry keys (in) and output (out); text frames carry JSON control messages
// (in: {type:"resize", cols, rows}; out: {type:"ready"}, {type:"exit", code, signal}, {type:"error", message}).
import { randomBytes } from "node:crypto";
import type { WebSocket } from "ws";
import { z } from "zod";
import type { TerminalSession as TerminalInfo } from "../src/sandbox/types.ts";
import { HttpError, notFound } from "./errors.ts";
import type { Shell, Workspace } from "./workspace.ts";

export type TerminalSettings = {
  /** A session with no key and no output this long is closed (SANDBOXD_TERMINAL_IDLE_MS). */
  idleMs: number;
  /** A session with no client attached this long is closed; a client that comes back sooner finds it (SANDBOXD_TERMINAL_GRACE_MS). */
  graceMs: number;
  /** Open sessions per workspace (SANDBOXD_TERMINAL_MAX). */
  maxPerWorkspace: number;
};

export const defaultTerminalSettings: TerminalSettings = { idleMs: 30 * 60_000, graceMs: 60_000, maxPerWorkspace: 8 };

export function terminalSettings(env: NodeJS.ProcessEnv): TerminalSettings {
  const positive = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not "${raw}"`);
    return value;
  };
  return {
    idleMs: positive("SANDBOXD_TERMINAL_IDLE_MS", defaultTerminalSettings.idleMs),
    graceMs: positive("SANDBOXD_TERMINAL_GRACE_MS", defaultTerminalSettings.graceMs),
    maxPerWorkspace: positive("SANDBOXD_TERMINAL_MAX", defaultTerminalSettings.maxPerWorkspace),
  };
}

export const terminalSize = z.strictObject({
  cols: z.number().int().min(2).max(500),
  rows: z.number().int().min(1).max(300),
});

const resizeMessage = terminalSize.extend({ type: z.literal("resize") });

/** Output kept for a client that attaches again (a page reload, a brief network drop). */
const SCROLLBACK_BYTES = 64 * 1024;
export const TERMINAL_ID = /^term_[a-f0-9]{16}$/;

class TerminalSession {
  readonly id = `term_${randomBytes(8).toString("hex")}`;
  readonly createdAt = new Date().toISOString();
  #size: { cols: number; rows: number };
  #shell: Shell | null = null;
  #client: WebSocket | null = null;
  #scrollback: Buffer[] = [];
  #scrollbackBytes = 0;
  #exit: { code: number; signal: number | null } | null = null;
  #closing: string | null = null;
  readonly #idle: NodeJS.Timeout;
  #grace: NodeJS.Timeout | null = null;

  constructor(size: { cols: number; rows: number }, settings: TerminalSettings) {
    this.#size = size;
    this.#idle = setTimeout(() => this.close(`closed after ${Math.round(settings.idleMs / 1000)} s without activity`), settings.idleMs);
    this.#idle.unref();
    this.#startGrace(settings.graceMs);
  }

  /** Starts the shell; `ended` settles when it has exited and the client was told. */
  async start(workspace: Workspace): Promise<{ ended: Promise<void> }> {
    this.#shell = await workspace.startShell(this.#size, (data) => this.#output(data));
    if (this.#closing) this.#shell.kill();
    const ended = this.#shell.done.then((exit) => {
      this.#exit = { code: exit.exitCode, signal: exit.signal };
      clearTimeout(this.#idle);
      if (this.#grace) clearTimeout(this.#grace);
      const client = this.#client;
      if (client) {
        if (this.#closing) client.send(JSON.stringify({ type: "error", message: this.#closing }));
        client.send(JSON.stringify({ type: "exit", code: exit.exitCode, signal: exit.signal }));
        client.close(1000, "the shell exited");
      }
    });
    return { ended };
  }

  info(): TerminalInfo {
    return { id: this.id, createdAt: this.createdAt, ...this.#size, attached: this.#client !== null };
  }

  #output(data: Buffer): void {
    this.#idle.refresh();
    this.#scrollback.push(data);
    this.#scrollbackBytes += data.length;
    while (this.#scrollbackBytes > SCROLLBACK_BYTES && this.#scrollback.length > 1) {
      this.#scrollbackBytes -= this.#scrollback.shift()!.length;
    }
    const client = this.#client;
    // The shell writes on once the client has taken its output; with no client it is not held back.
    if (client && client.readyState === client.OPEN) client.send(data, { binary: true }, () => this.#shell?.ack(data.length));
    else this.#shell?.ack(data.length);
  }

  /** Takes over the session for this client (another one attached before is closed), after replaying recent output. */
  attach(client: WebSocket, graceMs: number): void {
    const previous = this.#client;
    this.#client = client;
    if (this.#grace) clearTimeout(this.#grace);
    this.#grace = null;
    previous?.close(4000, "the session was opened elsewhere");
    if (this.#scrollbackBytes > 0) client.send(Buffer.concat(this.#scrollback), { binary: true });
    client.send(JSON.stringify({ type: "ready" }));
    client.on("message", (data, isBinary) => {
      this.#idle.refresh();
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) return this.#shell?.write(bytes);
      const parsed = resizeMessage.safeParse(parseJson(bytes.toString("utf8")));
      if (!parsed.success) {
        client.send(JSON.stringify({ type: "error", message: "expected {type:'resize', cols: 2-500, rows: 1-300} or binary input" }));
        return;
      }
      this.#size = { cols: parsed.data.cols, rows: parsed.data.rows };
      this.#shell?.resize(this.#size.cols, this.#size.rows);
    });
    client.on("close", () => {
      if (this.#client !== client) return;
      this.#client = null;
      if (!this.#exit) this.#startGrace(graceMs);
    });
  }

  #startGrace(graceMs: number): void {
    this.#grace = setTimeout(() => this.close("closed: no client came back"), graceMs);
    this.#grace.unref();
  }

  close(reason: string): void {
    if (this.#exit || this.#closing) return;
    this.#closing = reason;
    this.#shell?.kill();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A workspace's terminal sessions. Sessions live in sandboxd's memory: a restart of sandboxd ends them. */
export class TerminalTable {
  readonly #workspace: Workspace;
  readonly #settings: TerminalSettings;
  readonly #sessions = new Map<string, TerminalSession>();

  constructor(workspace: Workspace, settings: TerminalSettings) {
    this.#workspace = workspace;
    this.#settings = settings;
  }

  async open(size: { cols: number; rows: number }): Promise<TerminalInfo> {
    if (this.#sessions.size >= this.#settings.maxPerWorkspace) {
      throw new HttpError(
        409,
        "too_many_terminals",
        `a workspace has at most ${this.#settings.maxPerWorkspace} open terminals; close one first`,
      );
    }
    const session = new TerminalSession(size, this.#settings);
    this.#sessions.set(session.id, session);
    try {
      const { ended } = await session.start(this.#workspace);
      void ended.finally(() => this.#sessions.delete(session.id));
    } catch (error) {
      this.#sessions.delete(session.id);
      session.close("the shell did not start");
      throw error;
    }
    return session.info();
  }

  list(): TerminalInfo[] {
    return [...this.#sessions.values()].map((s) => s.info());
  }

  #get(id: string): TerminalSession {
    const session = TERMINAL_ID.test(id) ? this.#sessions.get(id) : undefined;
    if (!session) throw notFound(`no terminal session ${id} in this workspace (it may have been closed)`, "terminal_not_found");
    return session;
  }

  /** Throws 404 for an unknown session, so an upgrade can be refused before it is accepted. */
  check(id: string): void {
    this.#get(id);
  }

  attach(id: string, client: WebSocket): void {
    this.#get(id).attach(client, this.#settings.graceMs);
  }

  close(id: string): void {
    this.#get(id).close("closed");
  }
}

const tables = new WeakMap<Workspace, TerminalTable>();

export function terminalsOf(workspace: Workspace, settings: TerminalSettings): TerminalTable {
  let table = tables.get(workspace);
  if (!table) tables.set(workspace, (table = new TerminalTable(workspace, settings)));
  return table;
}
