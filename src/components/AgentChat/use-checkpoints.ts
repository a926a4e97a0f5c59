"use client";

import { useCallback, useEffect, useState } from "react";
import { useAgentWorkspace } from "./agent-context.tsx";
import type { Checkpoint } from "./agent-api.ts";

/** A turn's checkpoints: before its first file change, and as it left the files (once it has ended). */
export type TurnCheckpoints = { before?: Checkpoint; after?: Checkpoint };

/**
 * The workspace's checkpoints (one thread's, when given), reloaded whenever the agent reports a workspace change
 * and when `refresh` changes (e.g. a turn ended).
 */
export function useCheckpoints(threadId?: string, refresh?: unknown) {
  const { api, workspaceVersion } = useAgentWorkspace();
  const [checkpoints, setCheckpoints] = useState<Checkpoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api
      .checkpoints(threadId)
      .then((list) => {
        setCheckpoints(list.checkpoints);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [api, threadId]);
  // workspaceVersion and refresh are reload triggers: the agent changed files, a turn started or ended.
  useEffect(load, [load, workspaceVersion, refresh]);
  return { checkpoints, error, reload: load };
}

/** Each user message's turn checkpoints. */
export function byMessage(checkpoints: Checkpoint[] | null): Map<string, TurnCheckpoints> {
  const turns = new Map<string, TurnCheckpoints>();
  // Oldest first, so a task's later steps (same message) leave the first "before" and the last "after".
  for (const c of [...(checkpoints ?? [])].reverse()) {
    if (!c.messageId || (c.kind !== "before-turn" && c.kind !== "after-turn")) continue;
    const turn = turns.get(c.messageId) ?? {};
    if (c.kind === "before-turn") turn.before ??= c;
    else turn.after = c;
    turns.set(c.messageId, turn);
  }
  return turns;
}
