import type { ThreadInfo } from "./agent-api.ts";

export type ThreadGroupLabel = "Pinned" | "Today" | "Yesterday" | "Previous 7 days" | "Older";

export interface ThreadGroup {
  label: ThreadGroupLabel;
  threads: ThreadInfo[];
}

const DAY_MS = 86_400_000;

/**
 * The sidebar's groups: pinned threads on top, then the rest by their last activity in the viewer's local days.
 * Threads keep their order (most recent first) within a group; empty groups are left out.
 */
export function groupThreads(threads: readonly ThreadInfo[], now: Date = new Date()): ThreadGroup[] {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1).getTime();
  const weekAgo = today - 7 * DAY_MS;
  const groups: ThreadGroup[] = [
    { label: "Pinned", threads: [] },
    { label: "Today", threads: [] },
    { label: "Yesterday", threads: [] },
    { label: "Previous 7 days", threads: [] },
    { label: "Older", threads: [] },
  ];
  for (const thread of threads) {
    const at = thread.updatedAt;
    const index = thread.pinned ? 0 : at >= today ? 1 : at >= yesterday ? 2 : at >= weekAgo ? 3 : 4;
    groups[index]!.threads.push(thread);
  }
  return groups.filter((g) => g.threads.length > 0);
}
