// Which workspaces are live, when each was last used, the idle sweep and the cap on live workspaces per group (the
// Worker names an account as the group). Workspaces themselves (./workspace.ts) know only whether something runs.
import { HttpError } from "./errors.ts";
import type { Workspace, WorkspaceStore } from "./workspace.ts";

/** The account a workspace belongs to and how many of its workspaces may be live at once. */
export type WorkspaceGroup = { id: string; maxLive: number };

export type ActivitySettings = {
  /** A workspace with no running process and no request for this long stops its executor and network. */
  idleMs: number;
};

export const defaultActivitySettings: ActivitySettings = { idleMs: 30 * 60_000 };

/** SANDBOXD_IDLE_MINUTES (decimals allowed, e.g. 0.01 for tests); 0 turns the idle sweep off. */
export function activitySettings(env: NodeJS.ProcessEnv): ActivitySettings {
  const raw = env.SANDBOXD_IDLE_MINUTES;
  if (raw === undefined || raw === "") return defaultActivitySettings;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`SANDBOXD_IDLE_MINUTES must be a number of minutes >= 0, not ${raw}`);
  return { idleMs: Math.round(minutes * 60_000) };
}

type State = { lastUsed: number; inFlight: number; admitted: boolean; group: WorkspaceGroup | null; stopping: Promise<void> | null };

export class WorkspaceActivity {
  readonly #store: WorkspaceStore;
  readonly #settings: ActivitySettings;
  readonly #log: (message: string) => void;
  readonly #states = new Map<string, State>();
  readonly #groupTurns = new Map<string, Promise<unknown>>();
  #timer: NodeJS.Timeout | null = null;
  #sweeping = false;

  constructor(store: WorkspaceStore, settings: ActivitySettings, log: (message: string) => void) {
    this.#store = store;
    this.#settings = settings;
    this.#log = log;
  }

  #state(id: string): State {
    let state = this.#states.get(id);
    if (!state) {
      state = { lastUsed: Date.now(), inFlight: 0, admitted: false, group: null, stopping: null };
      this.#states.set(id, state);
    }
    return state;
  }

  /** A request for the workspace begins: it waits for a stop under way, then counts as use until `leave` is called. */
  async enter(id: string): Promise<() => void> {
    const state = this.#state(id);
    await state.stopping;
    state.inFlight++;
    state.lastUsed = Date.now();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      state.inFlight--;
      state.lastUsed = Date.now();
    };
  }

  /** Live: admitted for use since its last stop, or running its executor, network or a background process. */
  isLive(workspace: Workspace): boolean {
    return this.#states.get(workspace.id)?.admitted === true || workspace.running;
  }

  /** Idle enough to stop for room: nothing in flight and no background process. */
  #stoppable(workspace: Workspace): boolean {
    const state = this.#states.get(workspace.id);
    return (state?.inFlight ?? 0) === 0 && !workspace.processes.list().some((p) => p.status === "running");
  }

  describe(workspace: Workspace): { live: boolean; lastUsedAt: string | null } {
    const state = this.#states.get(workspace.id);
    return { live: this.isLive(workspace), lastUsedAt: state ? new Date(state.lastUsed).toISOString() : null };
  }

  /**
   * Admits a workspace for use (`PUT /v1/workspaces/:id`). When it is not live yet and its group is at its cap, the
   * group's least recently used stoppable workspaces are stopped for room; when none can be, 409.
   */
  async admit(workspace: Workspace, group: WorkspaceGroup | undefined): Promise<void> {
    const state = this.#state(workspace.id);
    if (group) state.group = group;
    const effective = state.group;
    if (!effective) {
      state.admitted = true;
      return;
    }
    // One admission per group at a time, so two requests cannot both take the last place.
    const previous = this.#groupTurns.get(effective.id) ?? Promise.resolve();
    const turn = previous.catch(() => {}).then(() => this.#admitInGroup(workspace, state, effective));
    this.#groupTurns.set(effective.id, turn);
    try {
      await turn;
    } finally {
      if (this.#groupTurns.get(effective.id) === turn) this.#groupTurns.delete(effective.id);
    }
  }

  async #admitInGroup(workspace: Workspace, state: State, group: WorkspaceGroup): Promise<void> {
    if (this.isLive(workspace)) {
      state.admitted = true;
      return;
    }
    const live = this.#store
      .all()
      .filter((other) => other.id !== workspace.id && this.#states.get(other.id)?.group?.id === group.id && this.isLive(other));
    const spare = live
      .filter((other) => this.#stoppable(other))
      .sort((a, b) => this.#states.get(a.id)!.lastUsed - this.#states.get(b.id)!.lastUsed);
    let count = live.length;
    while (count >= group.maxLive && spare.length > 0) {
      const oldest = spare.shift()!;
      await this.stop(oldest, "stopped to make room for another workspace of its account");
      this.#log(`workspace ${oldest.id}: stopped (least recently used) to make room for ${workspace.id}`);
      count--;
    }
    if (count >= group.maxLive) {
      throw new HttpError(
        409,
        "live_workspace_limit_reached",
        `${count} workspaces of this account are live (running a background process or in use), and its limit is ` +
          `${group.maxLive} at once. Stop a background process in another agent's workspace, or ask an admin to ` +
          "raise the account's live workspace limit.",
      );
    }
    state.admitted = true;
  }

  /** Stops everything the workspace runs (processes, executor, network); files stay, and it starts again on use. */
  async stop(workspace: Workspace, reason: string): Promise<void> {
    const state = this.#state(workspace.id);
    const stopping = (async () => {
      await state.stopping;
      await workspace.shutdown(reason);
      state.admitted = false;
    })();
    state.stopping = stopping;
    try {
      await stopping;
    } finally {
      if (state.stopping === stopping) state.stopping = null;
    }
  }

  /** Stops every live workspace idle for the idle time: no running process and no request in that time. */
  async sweep(now = Date.now()): Promise<void> {
    if (this.#sweeping || this.#settings.idleMs <= 0) return;
    this.#sweeping = true;
    try {
      for (const workspace of this.#store.all()) {
        const state = this.#states.get(workspace.id);
        const lastUsed = state?.lastUsed ?? 0;
        if (!this.isLive(workspace) || !this.#stoppable(workspace) || now - lastUsed < this.#settings.idleMs) continue;
        try {
          await this.stop(workspace, "stopped after being idle");
          this.#log(`workspace ${workspace.id}: idle for ${Math.round((now - lastUsed) / 1000)} s, executor and network stopped`);
        } catch (error) {
          this.#log(`workspace ${workspace.id}: idle stop failed: ${(error as Error).message}`);
        }
      }
    } finally {
      this.#sweeping = false;
    }
  }

  /** Sweeps on a timer: every half idle time, at most once a minute and at least every 100 ms. */
  start(): void {
    if (this.#settings.idleMs <= 0 || this.#timer) return;
    const every = Math.min(60_000, Math.max(100, Math.floor(this.#settings.idleMs / 2)));
    this.#timer = setInterval(() => void this.sweep(), every);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** A destroyed workspace's state goes with it. */
  forget(id: string): void {
    this.#states.delete(id);
  }
}
