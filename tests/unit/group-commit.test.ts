import { describe, expect, it } from "vitest";
import { groupCommitStats, groupCommitting } from "../../src/lib/billing/group-commit.ts";

/*
 * A D1 stand-in for the batching alone: a statement is its label, a batch answers each statement with its label,
 * fails as a whole if any label is "boom" (as D1 rolls a failed batch back), and is answered only when the test
 * opens the gate, so the test decides what is in flight.
 */
function gatedD1() {
  const sent: string[][] = [];
  const gates: (() => void)[] = [];
  const d1 = {
    prepare: (label: string) => ({ label }),
    batch: async (statements: { label: string }[]) => {
      const labels = statements.map((s) => s.label);
      sent.push(labels);
      await new Promise<void>((resolve) => gates.push(resolve));
      if (labels.includes("boom")) throw new Error("D1_ERROR: injected");
      return labels.map((label) => ({ results: [{ label }], success: true, meta: {} }));
    },
  } as unknown as D1Database;
  /** Opens the gates of every batch sent so far, then lets the callers run. */
  const answer = async () => {
    for (const open of gates.splice(0)) open();
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { d1, sent, answer };
}

const labelsOf = (results: D1Result[]) => results.map((r) => (r.results[0] as { label: string }).label);

function caller(d1: D1Database, kept: Promise<unknown>[] = []) {
  const grouped = groupCommitting(d1, { waitUntil: (promise) => kept.push(promise) });
  return (...labels: string[]) => grouped.batch(labels.map((label) => grouped.prepare(label)));
}

describe("group commit of D1 batches", () => {
  it("sends the batches that arrive while one is in flight as one batch, and answers each caller with its own results", async () => {
    const { d1, sent, answer } = gatedD1();
    const first = caller(d1)("a1", "a2");
    await answer();
    const second = caller(d1)("b1");
    const third = caller(d1)("c1", "c2", "c3");
    expect(sent).toEqual([["a1", "a2"]]);
    await answer();
    expect(labelsOf(await first)).toEqual(["a1", "a2"]);
    expect(sent).toEqual([
      ["a1", "a2"],
      ["b1", "c1", "c2", "c3"],
    ]);
    await answer();
    expect(labelsOf(await second)).toEqual(["b1"]);
    expect(labelsOf(await third)).toEqual(["c1", "c2", "c3"]);
    expect(groupCommitStats(d1)).toEqual({ batches: 3, sent: 2, splitGroups: 0 });
  });

  it("sends a group that failed as a whole again one batch at a time, so only the failing caller sees the error", async () => {
    const { d1, sent, answer } = gatedD1();
    const blocker = caller(d1)("x");
    await answer();
    const good = caller(d1)("g1", "g2");
    const bad = caller(d1)("boom");
    const alsoGood = caller(d1)("h1");
    const settled = Promise.allSettled([good, bad, alsoGood]);
    for (let i = 0; i < 6; i++) await answer();
    await blocker;
    const [g, b, h] = await settled;
    expect(g).toMatchObject({ status: "fulfilled" });
    expect(labelsOf((g as PromiseFulfilledResult<D1Result[]>).value)).toEqual(["g1", "g2"]);
    expect(b).toMatchObject({ status: "rejected", reason: expect.objectContaining({ message: "D1_ERROR: injected" }) });
    expect(labelsOf((h as PromiseFulfilledResult<D1Result[]>).value)).toEqual(["h1"]);
    expect(sent).toEqual([["x"], ["g1", "g2", "boom", "h1"], ["g1", "g2"], ["boom"], ["h1"]]);
    expect(groupCommitStats(d1).splitGroups).toBe(1);
  });

  it("sends each group from a caller whose own batch is in it, keeping that caller's request alive until it is answered", async () => {
    const { d1, answer } = gatedD1();
    const keptByFirst: Promise<unknown>[] = [];
    const keptBySecond: Promise<unknown>[] = [];
    const first = caller(d1, keptByFirst)("a");
    await answer();
    const second = caller(d1, keptBySecond)("b");
    await answer();
    await answer();
    await Promise.all([first, second]);
    expect(keptByFirst).toHaveLength(1);
    expect(keptBySecond).toHaveLength(1);
  });
});
