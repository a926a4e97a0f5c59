import type { Checkpoint, CheckpointKind, Workspace } from "../sandbox/types.ts";

/**
 * The workspace checkpoints of one turn (or task step): one just before its first file-changing tool call, and one
 * when it ends, both tied to the user message that started it, so the chat can show the turn's diff and restore
 * the files to before it. A turn that changes no files takes none. A checkpoint that fails (a full disk, a backend
 * without a store) costs the turn its undo, never the turn itself.
 */
export class TurnCheckpoints {
  readonly #workspace: () => Promise<Workspace>;
  readonly #ids: { threadId: string; messageId?: string };
  #before: Promise<Checkpoint | null> | undefined;

  constructor(workspace: () => Promise<Workspace>, ids: { threadId: string; messageId?: string }) {
    this.#workspace = workspace;
    this.#ids = ids;
  }

  /** Called before every file-changing tool call; only the first one checkpoints (the others wait for it). */
  async beforeChange(): Promise<void> {
    this.#before ??= this.#take("before-turn");
    await this.#before;
  }

  /** At the end of a turn that checkpointed before changing files: its files as the turn left them. */
  async afterTurn(): Promise<void> {
    if (!this.#before || !(await this.#before)) return;
    await this.#take("after-turn");
  }

  async #take(kind: CheckpointKind): Promise<Checkpoint | null> {
    try {
      return await (await this.#workspace()).createCheckpoint({ kind, ...this.#ids });
    } catch (error) {
      console.error(`the ${kind} checkpoint failed`, error);
      return null;
    }
  }
}
