/**
 * The loop breaker: an agent that makes the same tool call with the same arguments, or gets the same error, K times
 * in a row is paused, and what the repeats cost is refunded. The watch lives in the thread's Durable Object and
 * survives between the one-step turns of a task; a new message from the user starts it afresh.
 */

export { DEFAULT_LOOP_LIMIT, MAX_LOOP_LIMIT, MIN_LOOP_LIMIT } from "../lib/agents/loop-limit.ts";

/** One model step as the watch sees it: its tool calls, the errors they came back with, and what it was billed. */
export interface WatchedStep {
  calls: { toolName: string; input: unknown }[];
  /** One line per failed call: a thrown tool error, or a command that exited non-zero. */
  errors: string[];
  /** The ledger reservations the step was charged under (its model step and its sandbox runs). */
  reservationIds: string[];
}

interface Run {
  key: string;
  /** What repeated, for people. */
  label: string;
  /** Reservations of each step of the run, oldest first. */
  steps: string[][];
}

export interface LoopState {
  /** The user message the watch belongs to; a different one starts it afresh. */
  userMessageId: string | null;
  call: Run | null;
  error: Run | null;
}

export interface LoopTrip {
  kind: "same_call" | "same_error";
  /** How many times in a row. */
  repeats: number;
  label: string;
  /** The reservations of every step after the first of the run: the repeats, which are refunded. */
  refundReservationIds: string[];
}

export function emptyLoopState(userMessageId: string | null = null): LoopState {
  return { userMessageId, call: null, error: null };
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same arguments. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function shorten(text: string, max = 160): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function callLabel(calls: WatchedStep["calls"]): string {
  return calls.map((c) => `${c.toolName}(${shorten(canonicalJson(c.input), 120)})`).join(", ");
}

function extend(run: Run | null, key: string | null, label: string, reservations: string[]): Run | null {
  if (key === null) return null;
  if (run && run.key === key) return { ...run, steps: [...run.steps, reservations] };
  return { key, label, steps: [reservations] };
}

/**
 * Adds a step to the watch. Returns the new state and, when a run reached `limit` steps, the trip to act on (the
 * state is then cleared, so a user who lets the agent go on gets `limit` more tries before the next pause).
 */
export function watchStep(state: LoopState, step: WatchedStep, limit: number): { state: LoopState; trip: LoopTrip | null } {
  if (step.calls.length === 0) return { state: emptyLoopState(state.userMessageId), trip: null };
  const callKey = canonicalJson(step.calls.map((c) => [c.toolName, c.input]));
  const errorKey = step.errors.length > 0 ? step.errors.join("\n") : null;
  const call = extend(state.call, callKey, callLabel(step.calls), step.reservationIds);
  const error = extend(state.error, errorKey, shorten(errorKey ?? "", 200), step.reservationIds);
  const tripped = call && call.steps.length >= limit ? { run: call, kind: "same_call" as const } : null;
  const trippedError = !tripped && error && error.steps.length >= limit ? { run: error, kind: "same_error" as const } : null;
  const found = tripped ?? trippedError;
  if (!found) return { state: { userMessageId: state.userMessageId, call, error }, trip: null };
  return {
    state: emptyLoopState(state.userMessageId),
    trip: {
      kind: found.kind,
      repeats: found.run.steps.length,
      label: found.run.label,
      refundReservationIds: found.run.steps.slice(1).flat(),
    },
  };
}

/** The message the paused turn ends with: what repeated, what was refunded, and what the user can do. */
export function loopNotice(trip: LoopTrip, refundedCredits: number): string {
  const what =
    trip.kind === "same_call"
      ? `made the same tool call ${trip.repeats} times in a row: ${trip.label}`
      : `got the same error ${trip.repeats} times in a row: ${trip.label}`;
  const refund = refundedCredits > 0 ? ` The ${trip.repeats - 1} repeats were refunded (${refundedCredits} credits).` : "";
  return (
    `Paused: the agent ${what}.${refund} ` +
    "To go on, reply with a hint (what to change, which file or command to look at), fix the cause yourself in the " +
    'workspace, or say "continue" to let it try again. The number of repeats allowed is in the agent\'s settings.'
  );
}

/** One line per failed call in a step's results: a thrown tool error, or a command that exited non-zero. */
export function stepErrors(results: { toolName: string; output?: unknown; error?: unknown }[]): string[] {
  const errors: string[] = [];
  for (const result of results) {
    if (result.error !== undefined) {
      const message = result.error instanceof Error ? result.error.message : String(result.error);
      errors.push(`${result.toolName}: ${shorten(message, 400)}`);
      continue;
    }
    const output = result.output as { exitCode?: unknown; stderr?: unknown; error?: unknown } | undefined;
    if (output && typeof output === "object" && typeof output.exitCode === "number" && output.exitCode !== 0) {
      const detail = typeof output.error === "string" ? output.error : typeof output.stderr === "string" ? output.stderr.slice(-400) : "";
      errors.push(`${result.toolName} exited ${output.exitCode}: ${shorten(detail, 400)}`);
    }
  }
  return errors;
}
