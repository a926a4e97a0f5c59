import { insufficientCredits, release, reserve, settle, type Reservation } from "../lib/billing/ledger.ts";
import { stepCost, stepMaxCost, type ModelRates } from "../lib/billing/pricing.ts";
import { toCredits } from "../lib/billing/rules.ts";
import { AppError } from "../lib/errors.ts";
import { chargeSandboxRun } from "../lib/billing/sandbox-charge.ts";
import type { Clock } from "./clock.ts";

import type { MeterRef } from "../lib/billing/sandbox-charge.ts";

export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  chargedMillicredits: number;
  steps: number;
}

/** What a turn that reached its agent's per-turn credit cap ends with. */
export function turnCapNotice(capMillicredits: number): string {
  return `Stopped: this turn reached the agent's credit cap of ${toCredits(capMillicredits)} credits per turn (set in the agent's settings). Send a message to continue.`;
}

/** What a turn says when its cap cannot pay for even a short answer to the prompt it would send. */
export function turnCapTooSmallNotice(capMillicredits: number): string {
  return `This turn did not start: the agent's credit cap of ${toCredits(capMillicredits)} credits per turn cannot pay for an answer to this conversation. Raise the cap in the agent's settings.`;
}

/** Below this many affordable output tokens a capped turn does not start. */
export const MIN_CAPPED_OUTPUT_TOKENS = 16;

/** A sandbox run asked for after the turn reached its credit cap: it does not start. */
export class TurnCapReached extends AppError {
  constructor(capMillicredits: number) {
    super("turn_credit_cap", 402, `This turn reached its credit cap of ${toCredits(capMillicredits)} credits; nothing more runs in it.`);
  }
}

export const CHARGE_NOT_RECORDED =
  "The usage of this step could not be recorded in the credits ledger, so it was not charged and the turn stopped here. Please try again in a moment.";

export { estimateTokens } from "../lib/agents/prompt-size.ts";

/**
 * Meters one turn: each model step reserves its maximum cost before it runs and settles to its real token cost
 * after; each sandbox run settles its duration. Whatever is still held when the turn fails is released.
 *
 * With a per-turn credit cap, no charge goes past it: a step reserves at most what is left under the cap (the ledger
 * never settles above a reservation) and every charge is admitted against what is left before it is written, so
 * concurrent runs cannot both take the last of it. The turn stops once what is left cannot pay a step's input.
 */
export class TurnMeter {
  readonly #d1: D1Database;
  readonly #ref: MeterRef;
  readonly #model: ModelRates;
  readonly #clock: Clock;
  #open: Reservation | null = null;
  readonly usage: TurnUsage = { inputTokens: 0, outputTokens: 0, chargedMillicredits: 0, steps: 0 };
  /** Set when a step's charge could not be written: the message the turn ends with. */
  chargeFailure: string | null = null;
  /** What sandbox runs of this turn were charged (part of chargedMillicredits). */
  sandboxMillicredits = 0;
  /** What a loop breaker gave back during this turn. */
  refundedMillicredits = 0;
  /** Reservations charged since the last `takeStepReservations()`: the current step's model call and sandbox runs. */
  #stepReservations: string[] = [];
  readonly #capMillicredits: number | null;
  /** What has been charged, or admitted to be charged by a settle under way, against the cap. */
  #admitted = 0;
  /** The input tokens of the last settled step: the next step's prompt is at least as long. */
  #lastInputTokens = 0;

  constructor(d1: D1Database, ref: MeterRef, model: ModelRates, clock: Clock, capMillicredits: number | null = null) {
    this.#d1 = d1;
    this.#ref = ref;
    this.#model = model;
    this.#clock = clock;
    this.#capMillicredits = capMillicredits;
  }

  get capMillicredits(): number | null {
    return this.#capMillicredits;
  }

  /** What is left under the cap (Infinity without one). */
  #room(): number {
    return this.#capMillicredits === null ? Number.POSITIVE_INFINITY : Math.max(0, this.#capMillicredits - this.#admitted);
  }

  /** Takes what of a cost fits under the cap, synchronously, so two settles under way never both take the rest. */
  #admit(costMillicredits: number): number {
    const admitted = Math.min(costMillicredits, this.#room());
    this.#admitted += admitted;
    return admitted;
  }

  /**
   * The most output tokens a step may ask the model for, so that what is left under the cap pays for them after its
   * input: with a cap, the model is not asked for more than the turn can be charged for.
   */
  outputTokensWithin(promptTokens: number, maxOutputTokens: number): number {
    if (this.#capMillicredits === null) return maxOutputTokens;
    const left = this.#room() - stepCost(this.#model, { inputTokens: promptTokens, outputTokens: 0 });
    if (left <= 0) return 0;
    const rate = this.#model.outputMillicreditsPer1k;
    return rate <= 0 ? maxOutputTokens : Math.min(maxOutputTokens, Math.floor((left * 1000) / rate));
  }

  /** The turn has reached its cap: what is left cannot pay even the input of another step. */
  get capReached(): boolean {
    if (this.#capMillicredits === null) return false;
    const room = this.#room();
    return room <= 0 || room < stepCost(this.#model, { inputTokens: this.#lastInputTokens, outputTokens: 0 });
  }

  #now(): Date {
    return new Date(this.#clock());
  }

  /** Holds the most this step can cost; throws InsufficientCredits (nothing is sent to the model then). */
  async reserveStep(promptTokens: number, maxOutputTokens: number): Promise<void> {
    await this.releaseOpen();
    const max = Math.min(stepMaxCost(this.#model, promptTokens, maxOutputTokens), this.#room());
    this.#open = await reserve(this.#d1, this.#ref.accountId, max, { ...this.#ref, modelId: this.#model.id }, this.#now());
  }

  /**
   * Settles the open step. The AI SDK ignores errors thrown by its step callback, so a charge that cannot be written
   * (the database refused the batch, which then changed nothing) is kept in `chargeFailure` for the turn to stop and
   * say so; the step's reservation is given back, or, if that fails too, released by the cron when it expires.
   */
  async settleStep(usage: { inputTokens?: number; outputTokens?: number }): Promise<void> {
    const reservation = this.#open;
    if (!reservation) return;
    this.#open = null;
    const inputTokens = usage.inputTokens ?? 0;
    const outputTokens = usage.outputTokens ?? 0;
    let chargedMillicredits: number;
    const admitted = this.#admit(Math.min(stepCost(this.#model, { inputTokens, outputTokens }), reservation.amountMillicredits));
    try {
      ({ chargedMillicredits } = await settle(
        this.#d1,
        reservation,
        admitted,
        {
          ...this.#ref,
          modelId: this.#model.id,
          inputTokens,
          outputTokens,
          reason: "Model step",
        },
        this.#now(),
      ));
    } catch (error) {
      console.error("a model step could not be charged", error);
      this.#admitted -= admitted;
      this.chargeFailure = CHARGE_NOT_RECORDED;
      await release(this.#d1, reservation, this.#now()).catch(() => {});
      return;
    }
    this.#admitted += chargedMillicredits - admitted;
    this.#lastInputTokens = inputTokens;
    this.usage.inputTokens += inputTokens;
    this.usage.outputTokens += outputTokens;
    this.usage.chargedMillicredits += chargedMillicredits;
    this.usage.steps += 1;
    this.#stepReservations.push(reservation.id);
  }

  /** The reservations the step that just finished was charged under (its model call and its sandbox runs). */
  takeStepReservations(): string[] {
    const taken = this.#stepReservations;
    this.#stepReservations = [];
    return taken;
  }

  /** Credits given back (a loop breaker's refund): what the turn reports as charged goes down by as much. */
  refunded(millicredits: number): void {
    this.usage.chargedMillicredits -= millicredits;
    this.refundedMillicredits += millicredits;
  }

  async sandbox<T extends { durationMs: number; cpuMs?: number }>(run: () => Promise<T>): Promise<T> {
    if (this.#capMillicredits !== null && this.#room() <= 0) throw new TurnCapReached(this.#capMillicredits);
    let admitted = 0;
    const { result, chargedMillicredits, reservationId } = await chargeSandboxRun(this.#d1, this.#ref, run, this.#clock, (cost) => {
      admitted = this.#admit(cost);
      return admitted;
    });
    this.#admitted += chargedMillicredits - admitted;
    this.#stepReservations.push(reservationId);
    this.usage.chargedMillicredits += chargedMillicredits;
    this.sandboxMillicredits += chargedMillicredits;
    return result;
  }

  async releaseOpen(): Promise<void> {
    const reservation = this.#open;
    this.#open = null;
    if (reservation) await release(this.#d1, reservation, this.#now());
  }

  /** The price of a model step from its token counts, as settle charges it. */
  priceStep(usage: { inputTokens?: number; outputTokens?: number }): number {
    return stepCost(this.#model, { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 });
  }

  /** A running total as the turn can be charged it: never above the cap. */
  capped(millicredits: number): number {
    return this.#capMillicredits === null ? millicredits : Math.min(millicredits, this.#capMillicredits);
  }

  get chargedCredits(): number {
    return toCredits(this.usage.chargedMillicredits);
  }
}

export { insufficientCredits };
