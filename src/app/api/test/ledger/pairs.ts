import { groupCommitStats, groupCommitting, type GroupCommitOptions } from "@/lib/billing/group-commit.ts";
import { reserve, settle } from "@/lib/billing/ledger.ts";
import { InsufficientCredits } from "@/lib/errors.ts";

/*
 * Test-only measure of the ledger's own cost, without HTTP: runs reserve+settle pairs inside the Worker with the
 * given concurrency, each batch straight to D1 or through group commit, and counts the D1 batches they took, beside
 * a reference of bare D1 round trips (a batch of one `SELECT 1`) run the same way in the same request.
 */

export interface PairsInput {
  accountIds: string[];
  pairs: number;
  concurrency: number;
  maxCost: number;
  actualCost: number;
  grouped: boolean;
  now: Date;
}

export interface PairsOutcome {
  pairs: number;
  refused: number;
  failed: number;
  /** Per account, in the order given: pairs that completed. */
  completed: number[];
  elapsedMs: number;
  pairsPerSecond: number;
  /** Batches the pairs asked for, and the D1 batches that carried them. */
  batches: number;
  sent: number;
  splitGroups: number;
  reference: { name: string; opsPerSecond: number };
}

/** A D1 binding that counts the batches sent through it. */
function countingD1(d1: D1Database) {
  const counts = { batches: 0 };
  const counted = {
    prepare: (query: string) => d1.prepare(query),
    batch: <T>(statements: D1PreparedStatement[]) => {
      counts.batches++;
      return d1.batch<T>(statements);
    },
    exec: (query: string) => d1.exec(query),
    dump: () => d1.dump(),
    withSession: (constraint?: D1SessionConstraint | D1SessionBookmark) => d1.withSession(constraint),
  } as D1Database;
  return { d1: counted, counts };
}

async function runConcurrently(count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return performance.now() - started;
}

const perSecond = (count: number, ms: number) => Math.round((count * 1000 * 100) / ms) / 100;

export async function measurePairs(db: D1Database, context: GroupCommitOptions, input: PairsInput): Promise<PairsOutcome> {
  const probe = db.prepare("SELECT 1 AS one");
  const referenceMs = await runConcurrently(input.pairs, input.concurrency, async () => {
    await db.batch([probe]);
  });
  const { d1: counted, counts } = countingD1(db);
  const d1 = input.grouped ? groupCommitting(counted, context) : counted;
  const before = groupCommitStats(counted);
  const completed = input.accountIds.map(() => 0);
  let refused = 0;
  let failed = 0;
  const elapsedMs = await runConcurrently(input.pairs, input.concurrency, async (i) => {
    const at = i % input.accountIds.length;
    try {
      const held = await reserve(d1, input.accountIds[at]!, input.maxCost, { modelId: "gpt-oss:20b" }, input.now);
      await settle(d1, held, input.actualCost, { modelId: "gpt-oss:20b", inputTokens: 1000, outputTokens: 100 }, input.now);
      completed[at]!++;
    } catch (error) {
      if (error instanceof InsufficientCredits) refused++;
      else failed++;
    }
  });
  const after = groupCommitStats(counted);
  return {
    pairs: input.pairs,
    refused,
    failed,
    completed,
    elapsedMs: Math.round(elapsedMs * 100) / 100,
    pairsPerSecond: perSecond(input.pairs, elapsedMs),
    batches: input.grouped ? after.batches - before.batches : counts.batches,
    sent: counts.batches,
    splitGroups: after.splitGroups - before.splitGroups,
    reference: { name: "D1 round trips (batch of one SELECT 1)", opsPerSecond: perSecond(input.pairs, referenceMs) },
  };
}
