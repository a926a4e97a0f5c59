import type { TestUser } from "./users.ts";
import { type ApiInit, apiRequest } from "./http.ts";

/** A signed-in user's view of one agent through the real REST API, as the fault tests use it. */
export interface AgentApi {
  agentId: string;
  accountId: string;
  call<T = Record<string, unknown>>(path: string, init?: ApiInit): Promise<{ status: number; body: T }>;
  newThread(): Promise<string>;
  /** One turn in the JSON form of the messages route. */
  turn(threadId: string, text: string): Promise<{ status: number; body: TurnJson }>;
  credits(): Promise<{ balance: number; reserved: number; available: number }>;
  usageRows(): Promise<UsageRow[]>;
  /** The ledger audit in milli-credits: cached balance, ledger sums and open reservations. */
  audit(): Promise<LedgerAudit>;
}

export interface TurnJson {
  text: string;
  error?: string;
  credits: number;
  toolCalls: { name: string; state: string; output?: { stdout?: string; exitCode?: number }; error?: string }[];
}

export interface UsageRow {
  id: string;
  kind: string;
  amount: number;
  threadId: string | null;
  model: string | null;
  sandboxMs: number | null;
}

export interface LedgerAudit {
  cached: { freeMillicredits: number; purchasedMillicredits: number; reservedMillicredits: number };
  ledger: { freeMillicredits: number; purchasedMillicredits: number };
  openReservationsMillicredits: number;
  consistent: boolean;
}

export async function agentApi(baseUrl: string, user: TestUser): Promise<AgentApi> {
  const call = async <T>(path: string, init: ApiInit = {}) => {
    const { status, body } = await apiRequest<T>(baseUrl, user, path, init);
    return { status, body };
  };
  const agentId = (await call<{ agents: { id: string }[] }>("/api/agent")).body.agents[0]!.id;
  const accountId = (await call<{ accountId: string }>("/api/credits")).body.accountId;
  return {
    agentId,
    accountId,
    call,
    async newThread() {
      const { status, body } = await call<{ id: string }>(`/api/agent/${agentId}/threads`, { method: "POST" });
      if (status !== 201) throw new Error(`creating a thread answered ${status}`);
      return body.id;
    },
    turn: (threadId, text) =>
      call<TurnJson>(`/api/agent/${agentId}/threads/${threadId}/messages`, {
        method: "POST",
        headers: { accept: "application/json" },
        body: JSON.stringify({ text }),
      }),
    credits: async () => (await call<{ balance: number; reserved: number; available: number }>("/api/credits")).body,
    usageRows: async () => (await call<{ transactions: UsageRow[] }>("/api/credits/transactions?kind=usage&limit=200")).body.transactions,
    async audit() {
      const response = await fetch(`${baseUrl}/api/test/ledger`, { method: "POST", body: JSON.stringify({ action: "audit", accountId }) });
      if (!response.ok) throw new Error(`ledger audit answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as LedgerAudit;
    },
  };
}

/** Polls until `check` returns a value (not null/undefined/false) or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the task routes answer, as far as the tests read it. */
export interface TaskJson {
  id: string;
  threadId: string;
  status: string;
  endReason: string | null;
  stepsUsed: number;
}

/** Polls a task until its status is none of `busy` (by default, until it is no longer running). */
export async function taskOnceNot(api: AgentApi, taskId: string, busy: string[] = ["running"], timeoutMs = 90_000): Promise<TaskJson> {
  return eventually(
    async () => {
      const { body } = await api.call<TaskJson>(`/api/agent/${api.agentId}/tasks/${taskId}`);
      return !busy.includes(body.status) && body;
    },
    timeoutMs,
    `task ${taskId} to leave ${busy.join("/")}`,
  );
}
