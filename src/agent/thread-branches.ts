import type { UIMessage } from "ai";
import type { SqlTag } from "./sql-migrations.ts";

/**
 * Branches of a conversation: editing a sent message or regenerating an answer keeps what followed as an earlier
 * version, the way chat products show "< 2/3 >". Versions are kept per fork, the message they follow (its id, or ''
 * before the first message). The active version of each fork is the SDK's stored history itself, so the active path
 * is exactly what the model sees; the others wait here as JSON. A fork inside an inactive version stays keyed by its
 * own message id and comes back with that version.
 */

/** A fork on the active path: the message that starts its active version shows "< index/count >". */
export interface BranchPoint {
  /** The message the versions follow; null when they start the thread. */
  parentId: string | null;
  /** The first message of the active version. */
  messageId: string;
  /** The active version, from 1. */
  index: number;
  count: number;
}

/** One version of a fork on the active path, for `?branches=all`. */
export interface BranchVersion {
  parentId: string | null;
  index: number;
  active: boolean;
  /** The version's messages from the fork on (empty for the active one: it is the history itself). */
  messages: UIMessage[];
}

interface BranchRow {
  parent_id: string;
  position: number;
  active: number;
  messages: string | null;
}

const ROOT = "";
const keyOf = (parentId: string | null) => parentId ?? ROOT;
const parentOf = (key: string) => (key === ROOT ? null : key);

function rowsByFork(sql: SqlTag): Map<string, BranchRow[]> {
  const forks = new Map<string, BranchRow[]>();
  for (const row of sql<BranchRow>`SELECT parent_id, position, active, messages FROM thread_branch ORDER BY parent_id, position`) {
    const rows = forks.get(row.parent_id) ?? [];
    rows.push(row);
    forks.set(row.parent_id, rows);
  }
  return forks;
}

/** Where the active version of a fork starts in the history, or -1 when the fork is not on the active path. */
function versionStart(messages: readonly UIMessage[], key: string): number {
  if (key === ROOT) return messages.length > 0 ? 0 : -1;
  const parent = messages.findIndex((m) => m.id === key);
  return parent >= 0 && parent + 1 < messages.length ? parent + 1 : -1;
}

/** The forks on the active path, in the order of the history. */
export function branchPoints(sql: SqlTag, messages: readonly UIMessage[]): BranchPoint[] {
  const points: (BranchPoint & { at: number })[] = [];
  for (const [key, rows] of rowsByFork(sql)) {
    const at = versionStart(messages, key);
    const active = rows.find((r) => r.active === 1);
    if (at < 0 || !active) continue;
    points.push({ parentId: parentOf(key), messageId: messages[at]!.id, index: active.position, count: rows.length, at });
  }
  return points.sort((a, b) => a.at - b.at).map(({ at: _at, ...point }) => point);
}

/** Every version of the forks on the active path (the inactive ones with their messages). */
export function branchVersions(sql: SqlTag, messages: readonly UIMessage[]): BranchVersion[] {
  const versions: BranchVersion[] = [];
  for (const [key, rows] of rowsByFork(sql)) {
    if (versionStart(messages, key) < 0) continue;
    for (const row of rows) {
      versions.push({
        parentId: parentOf(key),
        index: row.position,
        active: row.active === 1,
        messages: row.messages ? (JSON.parse(row.messages) as UIMessage[]) : [],
      });
    }
  }
  return versions;
}

/**
 * Keeps what follows `parentIndex` (-1: the whole history) as a version of that fork and opens a new, active, empty
 * version after it; returns the history up to the fork, which the new message or answer continues. Nothing is kept
 * when nothing follows the fork (an answer that never came is simply answered).
 */
export function forkAfter(sql: SqlTag, messages: readonly UIMessage[], parentIndex: number, now: number): UIMessage[] {
  const prefix = messages.slice(0, parentIndex + 1);
  const tail = messages.slice(parentIndex + 1);
  if (tail.length === 0) return prefix;
  const key = parentIndex < 0 ? ROOT : messages[parentIndex]!.id;
  const rows = sql<BranchRow>`SELECT parent_id, position, active, messages FROM thread_branch WHERE parent_id = ${key}`;
  const saved = JSON.stringify(tail);
  if (rows.length === 0) {
    sql`INSERT INTO thread_branch (parent_id, position, active, messages, created_at) VALUES (${key}, 1, 0, ${saved}, ${now})`;
  } else {
    sql`UPDATE thread_branch SET active = 0, messages = ${saved} WHERE parent_id = ${key} AND active = 1`;
  }
  const next = Math.max(1, ...rows.map((r) => r.position)) + 1;
  sql`INSERT INTO thread_branch (parent_id, position, active, messages, created_at) VALUES (${key}, ${next}, 1, NULL, ${now})`;
  return prefix;
}

/**
 * Makes version `index` of the fork after `parentId` the active one: the active version is kept here and the chosen
 * one becomes the history. Null when the fork is not on the active path or has no such version.
 */
export function switchVersion(sql: SqlTag, messages: readonly UIMessage[], parentId: string | null, index: number): UIMessage[] | null {
  const key = keyOf(parentId);
  const at = versionStart(messages, key);
  if (at < 0) return null;
  const rows = sql<BranchRow>`SELECT parent_id, position, active, messages FROM thread_branch WHERE parent_id = ${key}`;
  const target = rows.find((r) => r.position === index);
  if (!target) return null;
  if (target.active === 1) return [...messages];
  const chosen = JSON.parse(target.messages ?? "[]") as UIMessage[];
  sql`UPDATE thread_branch SET active = 0, messages = ${JSON.stringify(messages.slice(at))} WHERE parent_id = ${key} AND active = 1`;
  sql`UPDATE thread_branch SET active = 1, messages = NULL WHERE parent_id = ${key} AND position = ${index}`;
  return [...messages.slice(0, at), ...chosen];
}

/** Forgets every version (the thread was erased). */
export function clearBranches(sql: SqlTag): void {
  sql`DELETE FROM thread_branch`;
}
