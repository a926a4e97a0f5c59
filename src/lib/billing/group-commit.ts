/*
 * Group commit for D1 batches. A D1 write batch costs about one transaction commit however few statements it has
 * (the bench's profile: ~130 single-UPDATE batches/s against ~4,000 statements/s in batches of 50), so batches that
 * callers in this isolate send at the same time are sent as one: their statements concatenated in arrival order,
 * each caller getting back the results of its own statements. D1 runs a batch as one transaction, statement after
 * statement, so the group means exactly what the same batches would mean one after another; the ledger's
 * statements are conditional on marks of their own batch, so one caller's refusal never refuses a neighbour.
 * A group that fails as a whole (one statement threw, so nothing of it was applied) is sent again one batch at a
 * time, so only the failing caller sees its error.
 *
 * Leadership: one group is in flight per binding. A caller that finds none in flight sends the queue (its own
 * batch included) from its own request, keeping that request alive with `waitUntil` until the group is answered;
 * the others wait for it and then the first of them to run leads the next group. Nobody sends a batch from a
 * request whose own work is done, so no batch is cut off when that request ends.
 */

export interface GroupCommitOptions {
  /** Keeps the calling request alive until a group it leads is answered (ExecutionContext.waitUntil). */
  waitUntil(promise: Promise<unknown>): void;
}

export interface GroupCommitStats {
  /** Batches the callers asked for. */
  batches: number;
  /** Batches D1 received for them (groups plus single retries). */
  sent: number;
  /** Groups that failed as a whole and were sent again one batch at a time. */
  splitGroups: number;
}

type Outcome = { ok: true; results: D1Result[] } | { ok: false; error: unknown };

interface Member {
  statements: D1PreparedStatement[];
  outcome?: Outcome;
}

interface Group {
  queue: Member[];
  inFlight: Promise<void> | null;
  stats: GroupCommitStats;
}

/** A group stops growing at this many statements (a single larger batch is still sent, alone). */
const MAX_GROUP_STATEMENTS = 400;

const groups = new WeakMap<D1Database, Group>();

function groupOf(d1: D1Database): Group {
  let group = groups.get(d1);
  if (!group) {
    group = { queue: [], inFlight: null, stats: { batches: 0, sent: 0, splitGroups: 0 } };
    groups.set(d1, group);
  }
  return group;
}

function take(queue: Member[]): Member[] {
  let statements = 0;
  let count = 0;
  while (count < queue.length && (count === 0 || statements + queue[count]!.statements.length <= MAX_GROUP_STATEMENTS)) {
    statements += queue[count]!.statements.length;
    count++;
  }
  return queue.splice(0, count);
}

async function sendAlone(d1: D1Database, group: Group, member: Member): Promise<void> {
  group.stats.sent++;
  try {
    member.outcome = { ok: true, results: await d1.batch(member.statements) };
  } catch (error) {
    member.outcome = { ok: false, error };
  }
}

async function commit(d1: D1Database, group: Group, members: Member[]): Promise<void> {
  if (members.length === 1) return sendAlone(d1, group, members[0]!);
  group.stats.sent++;
  let results: D1Result[];
  try {
    results = await d1.batch(members.flatMap((m) => m.statements));
  } catch {
    group.stats.splitGroups++;
    for (const member of members) await sendAlone(d1, group, member);
    return;
  }
  let offset = 0;
  for (const member of members) {
    member.outcome = { ok: true, results: results.slice(offset, offset + member.statements.length) };
    offset += member.statements.length;
  }
}

async function submit<T>(d1: D1Database, statements: D1PreparedStatement[], options: GroupCommitOptions): Promise<D1Result<T>[]> {
  const group = groupOf(d1);
  group.stats.batches++;
  const member: Member = { statements };
  group.queue.push(member);
  while (!member.outcome) {
    if (group.inFlight) {
      await group.inFlight;
      continue;
    }
    // Batches sent in the same turn of the event loop join this group.
    await Promise.resolve();
    if (group.inFlight || member.outcome) continue;
    const members = take(group.queue);
    const inFlight = commit(d1, group, members).finally(() => {
      group.inFlight = null;
    });
    group.inFlight = inFlight;
    options.waitUntil(inFlight);
    await inFlight;
  }
  if (!member.outcome.ok) throw member.outcome.error;
  return member.outcome.results as D1Result<T>[];
}

/**
 * The binding `d1` whose `batch()` joins the batches other callers in this isolate send at the same moment (see
 * above). Everything else goes straight to `d1`.
 */
export function groupCommitting(d1: D1Database, options: GroupCommitOptions): D1Database {
  return {
    prepare: (query: string) => d1.prepare(query),
    batch: <T>(statements: D1PreparedStatement[]) =>
      statements.length === 0 ? d1.batch<T>(statements) : submit<T>(d1, statements, options),
    exec: (query: string) => d1.exec(query),
    dump: () => d1.dump(),
    withSession: (constraint?: D1SessionConstraint | D1SessionBookmark) => d1.withSession(constraint),
  } as D1Database;
}

/** What grouping did for `d1` in this isolate so far (for the ledger's benchmark and tests). */
export function groupCommitStats(d1: D1Database): GroupCommitStats {
  return { ...groupOf(d1).stats };
}
