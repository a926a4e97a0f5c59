import { describe, expect, it } from "vitest";
import { canonicalJson, emptyLoopState, type LoopState, stepErrors, type WatchedStep, watchStep } from "../../src/agent/loop-breaker.ts";

const call = (command: string, reservation: string, errors: string[] = []): WatchedStep => ({
  calls: [{ toolName: "exec", input: { command } }],
  errors,
  reservationIds: [`${reservation}-model`, `${reservation}-run`],
});

function run(steps: WatchedStep[], limit: number, state: LoopState = emptyLoopState("u1")) {
  const trips = [];
  for (const step of steps) {
    const next = watchStep(state, step, limit);
    state = next.state;
    if (next.trip) trips.push(next.trip);
  }
  return { state, trips };
}

describe("the loop watch", () => {
  it("trips on the K-th identical call in a row and refunds every step after the first", () => {
    const { trips } = run([call("make", "a"), call("make", "b"), call("make", "c")], 3);
    expect(trips).toEqual([
      { kind: "same_call", repeats: 3, label: 'exec({"command":"make"})', refundReservationIds: ["b-model", "b-run", "c-model", "c-run"] },
    ]);
  });

  it("does not trip below K, when the arguments differ, or when a step without tool calls comes between", () => {
    expect(run([call("make", "a"), call("make", "b")], 3).trips).toEqual([]);
    expect(run([call("make", "a"), call("make -j2", "b"), call("make", "c")], 3).trips).toEqual([]);
    const text: WatchedStep = { calls: [], errors: [], reservationIds: ["t"] };
    expect(run([call("make", "a"), call("make", "b"), text, call("make", "c")], 3).trips).toEqual([]);
  });

  it("treats arguments with the same keys in another order as the same call", () => {
    const a: WatchedStep = { calls: [{ toolName: "move_file", input: { from: "a", to: "b" } }], errors: [], reservationIds: ["1"] };
    const b: WatchedStep = { calls: [{ toolName: "move_file", input: { to: "b", from: "a" } }], errors: [], reservationIds: ["2"] };
    expect(run([a, b], 2).trips[0]?.kind).toBe("same_call");
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });

  it("trips on the same error from different calls, and starts counting afresh after a trip", () => {
    const steps = [1, 2, 3, 4, 5].map((i) => call(`make target${i}`, `s${i}`, ["exec exited 2: no rule"]));
    const { trips, state } = run(steps, 2);
    expect(trips.map((t) => [t.kind, t.refundReservationIds])).toEqual([
      ["same_error", ["s2-model", "s2-run"]],
      ["same_error", ["s4-model", "s4-run"]],
    ]);
    expect(state.error?.steps).toHaveLength(1);
  });

  it("keeps the user message it belongs to", () => {
    expect(run([call("make", "a")], 3).state.userMessageId).toBe("u1");
  });
});

describe("step errors", () => {
  it("names thrown tool errors and commands that exited non-zero, and nothing else", () => {
    expect(
      stepErrors([
        { toolName: "read_file", error: new Error("No such file: a.txt") },
        { toolName: "exec", output: { exitCode: 1, stdout: "", stderr: "line 1\n  boom  \n" } },
        { toolName: "exec", output: { exitCode: 0, stdout: "ok", stderr: "" } },
        { toolName: "write_file", output: { path: "a" } },
      ]),
    ).toEqual(["read_file: No such file: a.txt", "exec exited 1: line 1 boom"]);
  });
});
