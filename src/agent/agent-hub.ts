import { Agent, type Connection, type FiberRecoveryContext } from "agents";
import type { Env } from "../env.ts";
import { newThreadId } from "../lib/agents/ids.ts";
import type { OpenedSecret, SecretInput } from "../lib/agents/secrets.ts";
import { agentClock, type Clock } from "./clock.ts";
import { credentialTags, recheckCredentialOnEachMessage } from "./connection-auth.ts";
import { AGENT_HUB_MIGRATIONS } from "./agent-hub-migrations.ts";
import { HubTasks } from "./hub-tasks.ts";
import type { ScheduleChanges, ScheduleInput } from "./schedules.ts";
import { applyMigrations } from "./sql-migrations.ts";
import type { Task, TaskInput } from "./tasks.ts";
import { safeNameFrom } from "../lib/text/names.ts";

export interface ThreadSummary {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  running: boolean;
  /** Kept at the top of the list, above the date groups. */
  pinned: boolean;
  /** The thread of a task (its work, not a chat). */
  task: boolean;
}

export interface MemoryNote {
  id: string;
  text: string;
  createdAt: number;
  updatedAt: number;
}

/** What every connected client of the agent sees, kept in sync by the SDK (two tabs agree). */
export interface HubState {
  threads: ThreadSummary[];
  /** Bumped whenever a tool may have changed the workspace, so open file and process panels refresh. */
  workspaceVersion: number;
  /** The newest tasks with their progress (steps and credits used), updated after every step. */
  tasks?: Task[];
}

/** Memory notes put into the system prompt: newest first, at most this many characters in all. */
export const MEMORY_PROMPT_BUDGET_CHARS = 4000;
export const MAX_MEMORY_NOTES = 200;
const TITLE_MAX = 80;

type ThreadRow = {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  running: number;
  pinned: number;
  task: number;
};

/** The columns a ThreadSummary is read from (of `thread t`). */
const THREAD_COLUMNS =
  "t.id, t.title, t.created_at, t.updated_at, t.running, t.pinned, EXISTS (SELECT 1 FROM task WHERE task.thread_id = t.id) AS task";

/** Turns the first message of a thread into its title. */
export function titleFromMessage(text: string): string {
  const line = safeNameFrom(text).replace(/\s+/g, " ").trim();
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line || "New chat";
}

/** Quotes user text as one FTS5 phrase with a prefix match on its last word. */
function ftsQuery(text: string): string {
  return `"${text.trim().replace(/"/g, '""')}"*`;
}

/**
 * The parent Durable Object of one agent (named by the agent id): its memory notes, the index of its threads with
 * full-text search over titles and messages, and which threads are running. Everything lives in its SQLite.
 */
export class AgentHub extends Agent<Env, HubState> {
  initialState: HubState = { threads: [], workspaceVersion: 0, tasks: [] };
  /** Tasks, schedules, secrets and the preset's starter files (./hub-tasks.ts). */
  readonly #work = new HubTasks({
    agentId: () => this.name,
    sql: (strings, ...values) => this.sql(strings, ...values),
    env: () => this.env,
    waitUntil: (promise) => this.ctx.waitUntil(promise),
    runFiber: (name, fn) => this.runFiber(name, fn),
    scheduleAt: (when, payload) => this.schedule(when, "onScheduleDue", payload, { idempotent: true }),
    insertThread: (title) => this.insertThread(title),
    publishState: () => this.#publish(),
    now: () => this.now(),
  });
  #clock: Clock | undefined;

  /** "Now" for everything this agent decides by time (./clock.ts): real time, or a test's simulated time. */
  now(): number {
    this.#clock ??= agentClock(this.env, this.#work.simulatedTime());
    return this.#clock();
  }

  /** Test hook (ENVIRONMENT=test only, checked by the route): sets this agent's simulated time, or null for real time. */
  async setSimulatedTime(at: number | null): Promise<void> {
    this.#work.setSimulatedTime(at);
    this.#clock = undefined;
  }

  /** The simulated time a test set for this agent, for its threads; null when the agent runs on real time. */
  async simulatedTime(): Promise<number | null> {
    return this.env.ENVIRONMENT === "test" ? this.#work.simulatedTime() : null;
  }

  onStart(): void {
    applyMigrations(
      { sql: (strings, ...values) => this.sql(strings, ...values), transaction: (fn) => this.ctx.storage.transactionSync(fn) },
      AGENT_HUB_MIGRATIONS,
    );
    this.#work.onStart();
  }

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Every message of a WebSocket re-checks the credential that opened it (./connection-auth.ts).
    recheckCredentialOnEachMessage(this, ctx, env);
  }

  getConnectionTags(_connection: Connection, context: { request: Request }): string[] {
    return credentialTags(context.request);
  }

  /** A task's fiber was cut off by an eviction or a restart: it continues from its last checkpoint. */
  async onFiberRecovered(ctx: FiberRecoveryContext): Promise<void> {
    this.#work.onFiberRecovered(ctx.name);
  }

  async writeProbe(key: string, value: string): Promise<void> {
    const now = this.now();
    this.sql`INSERT INTO probe (key, value, updated_at) VALUES (${key}, ${value}, ${now})
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;
  }

  async readProbe(key: string): Promise<string | null> {
    return this.sql<{ value: string }>`SELECT value FROM probe WHERE key = ${key}`[0]?.value ?? null;
  }

  // Threads

  #threadRows(): ThreadSummary[] {
    return this.#selectThreads("ORDER BY t.updated_at DESC");
  }

  /** Threads with their summary columns; `rest` is fixed SQL (a WHERE on bound values goes through the tag). */
  #selectThreads(rest: string, ...bindings: (string | number)[]): ThreadSummary[] {
    return [...this.ctx.storage.sql.exec<ThreadRow>(`SELECT ${THREAD_COLUMNS} FROM thread t ${rest}`, ...bindings)].map(toSummary);
  }

  #publish(changes: Partial<HubState> = {}): void {
    this.setState({ ...this.state, threads: this.#threadRows(), tasks: this.#work.recentTasks(), ...changes });
  }

  publishState(): void {
    this.#publish();
  }

  async createThread(title?: string): Promise<ThreadSummary> {
    return this.insertThread(title);
  }

  /** Synchronous, so a task and its thread are created in one step that no other event can interleave with. */
  insertThread(title?: string): ThreadSummary {
    const id = newThreadId();
    const now = this.now();
    const name = title?.trim() ? title.trim().slice(0, TITLE_MAX) : "New chat";
    this
      .sql`INSERT INTO thread (id, title, created_at, updated_at, titled) VALUES (${id}, ${name}, ${now}, ${now}, ${title?.trim() ? 1 : 0})`;
    this.sql`INSERT INTO thread_text (thread_id, title, body) VALUES (${id}, ${name}, '')`;
    this.#publish();
    return { id, title: name, createdAt: now, updatedAt: now, running: false, pinned: false, task: false };
  }

  async getThread(id: string): Promise<ThreadSummary | null> {
    return this.#selectThreads("WHERE t.id = ?", id)[0] ?? null;
  }

  /** Threads newest first; with a query, only those whose title or messages match it. */
  async listThreads(query?: string): Promise<ThreadSummary[]> {
    if (!query?.trim()) return this.#threadRows();
    return this.#selectThreads(
      "WHERE t.id IN (SELECT thread_id FROM thread_text WHERE thread_text MATCH ?) ORDER BY t.updated_at DESC",
      ftsQuery(query),
    );
  }

  async renameThread(id: string, title: string): Promise<ThreadSummary | null> {
    const name = title.trim().slice(0, TITLE_MAX);
    this.sql`UPDATE thread SET title = ${name}, titled = 1, updated_at = ${this.now()} WHERE id = ${id}`;
    this.sql`UPDATE thread_text SET title = ${name} WHERE thread_id = ${id}`;
    this.#publish();
    return this.getThread(id);
  }

  /** Pins a thread to the top of the list, or unpins it; its activity time stays as it was. */
  async pinThread(id: string, pinned: boolean): Promise<ThreadSummary | null> {
    this.sql`UPDATE thread SET pinned = ${pinned ? 1 : 0} WHERE id = ${id}`;
    this.#publish();
    return this.getThread(id);
  }

  async deleteThread(id: string): Promise<boolean> {
    const existed = (await this.getThread(id)) !== null;
    this.sql`DELETE FROM thread WHERE id = ${id}`;
    this.sql`DELETE FROM thread_text WHERE thread_id = ${id}`;
    this.#publish();
    return existed;
  }

  /**
   * What a turn needs from the hub, in one round trip: marks the thread running, returns memory notes, secrets and
   * the simulated time of a test (null on real time).
   */
  async beginTurn(threadId: string): Promise<{ memory: string[]; secrets: Record<string, OpenedSecret>; simulatedAt: number | null }> {
    await this.setThreadRunning(threadId, true);
    return { memory: await this.memoryForPrompt(), secrets: await this.openSecrets(), simulatedAt: await this.simulatedTime() };
  }

  /** Called by a thread when a turn starts or ends. */

  async setThreadRunning(id: string, running: boolean): Promise<void> {
    this.sql`UPDATE thread SET running = ${running ? 1 : 0}, updated_at = ${this.now()} WHERE id = ${id}`;
    this.#publish();
  }

  /** Indexes a finished turn's text for search and titles an untitled thread from its first message. */
  async recordTurn(id: string, userText: string, assistantText: string): Promise<void> {
    this.#indexTurn(id, userText, assistantText);
    this.#publish();
  }

  /** A turn ended: the thread stops running and its text is indexed (recordTurn), with one update to the clients. */
  async endTurn(id: string, userText: string, assistantText: string): Promise<void> {
    this.sql`UPDATE thread SET running = 0 WHERE id = ${id}`;
    this.#indexTurn(id, userText, assistantText);
    this.#publish();
  }

  #indexTurn(id: string, userText: string, assistantText: string): void {
    const untitled = this.sql<{ titled: number }>`SELECT titled FROM thread WHERE id = ${id}`[0]?.titled === 0;
    if (untitled && userText.trim()) {
      const title = titleFromMessage(userText);
      this.sql`UPDATE thread SET title = ${title}, titled = 1 WHERE id = ${id}`;
      this.sql`UPDATE thread_text SET title = ${title} WHERE thread_id = ${id}`;
    }
    this.sql`UPDATE thread_text SET body = body || ' ' || ${userText} || ' ' || ${assistantText} WHERE thread_id = ${id}`;
    this.sql`UPDATE thread SET updated_at = ${this.now()} WHERE id = ${id}`;
  }

  async workspaceChanged(): Promise<void> {
    this.#publish({ workspaceVersion: this.state.workspaceVersion + 1 });
  }

  // Memory

  async listNotes(): Promise<MemoryNote[]> {
    return this.sql<{ id: string; text: string; created_at: number; updated_at: number }>`
      SELECT id, text, created_at, updated_at FROM memory_note ORDER BY created_at DESC, id DESC`.map((r) => ({
      id: r.id,
      text: r.text,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async addNote(text: string): Promise<MemoryNote> {
    const count = this.sql<{ n: number }>`SELECT COUNT(*) AS n FROM memory_note`[0]?.n ?? 0;
    if (count >= MAX_MEMORY_NOTES) {
      this.sql`DELETE FROM memory_note WHERE id = (SELECT id FROM memory_note ORDER BY created_at ASC LIMIT 1)`;
    }
    const note = { id: crypto.randomUUID(), text: text.trim(), createdAt: this.now(), updatedAt: this.now() };
    this
      .sql`INSERT INTO memory_note (id, text, created_at, updated_at) VALUES (${note.id}, ${note.text}, ${note.createdAt}, ${note.updatedAt})`;
    return note;
  }

  async updateNote(id: string, text: string): Promise<MemoryNote | null> {
    this.sql`UPDATE memory_note SET text = ${text.trim()}, updated_at = ${this.now()} WHERE id = ${id}`;
    return (await this.listNotes()).find((n) => n.id === id) ?? null;
  }

  async deleteNote(id: string): Promise<boolean> {
    const existed = this.sql<{ id: string }>`SELECT id FROM memory_note WHERE id = ${id}`.length > 0;
    this.sql`DELETE FROM memory_note WHERE id = ${id}`;
    return existed;
  }

  /** The notes for the system prompt: newest first, within the budget. */
  async memoryForPrompt(): Promise<string[]> {
    const notes: string[] = [];
    let used = 0;
    for (const note of await this.listNotes()) {
      if (used + note.text.length > MEMORY_PROMPT_BUDGET_CHARS) break;
      notes.push(note.text);
      used += note.text.length;
    }
    return notes;
  }

  // Tasks, schedules, secrets (RPC for the REST API and the threads; the work is in ./hub-tasks.ts)

  startTask(input: TaskInput) {
    return this.#work.startTask(input);
  }
  listTasks() {
    return this.#work.listTasks();
  }
  getTask(id: string) {
    return this.#work.getTask(id);
  }
  stopTask(id: string) {
    return this.#work.stopTask(id);
  }
  resumeTask(id: string) {
    return this.#work.resumeTask(id);
  }
  resumeTaskOfThread(threadId: string) {
    return this.#work.resumeTaskOfThread(threadId);
  }
  createTaskSchedule(input: ScheduleInput, now: number) {
    return this.#work.createSchedule(input, now);
  }
  listTaskSchedules() {
    return this.#work.listSchedules();
  }
  getTaskSchedule(id: string) {
    return this.#work.getSchedule(id);
  }
  updateTaskSchedule(id: string, changes: ScheduleChanges, now: number) {
    return this.#work.updateSchedule(id, changes, now);
  }
  deleteTaskSchedule(id: string) {
    return this.#work.deleteSchedule(id);
  }
  /** Starts a task for every schedule due at `now` that has not fired yet (alarms, the cron trigger, tests). */
  runDueSchedules(now: number) {
    return this.#work.runDueSchedules(now);
  }
  /** The SDK alarm callback of a schedule's due time. */
  async onScheduleDue(): Promise<void> {
    await this.#work.runDueSchedules(this.now());
  }
  putSecrets(values: Record<string, SecretInput>) {
    return this.#work.putSecrets(values);
  }
  listSecrets() {
    return this.#work.listSecrets();
  }
  deleteSecret(name: string) {
    return this.#work.deleteSecret(name);
  }
  openSecrets() {
    return this.#work.openSecrets();
  }
  provisionWorkspace() {
    return this.#work.provisionWorkspace();
  }

  /** Forgets everything (the agent is being deleted). */
  async destroyAll(): Promise<string[]> {
    const ids = this.sql<{ id: string }>`SELECT id FROM thread`.map((r) => r.id);
    this.sql`DELETE FROM thread`;
    this.sql`DELETE FROM thread_text`;
    this.sql`DELETE FROM memory_note`;
    await this.#work.destroyAll();
    this.#publish({ workspaceVersion: 0 });
    return ids;
  }
}

function toSummary(row: ThreadRow): ThreadSummary {
  return {
    id: row.id,
    title: row.title,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    running: row.running === 1,
    pinned: row.pinned === 1,
    task: row.task === 1,
  };
}
