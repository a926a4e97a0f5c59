import { insufficientCredits, release, reserve, settle, type Reservation } from "../lib/billing/ledger.ts";
import { stepCost, stepMaxCost, type ModelRates } from "../lib/billing/pricing.ts";
import { toCredits } from "../lib/billing/rules.ts";
import { chargeSandboxRun } from "../lib/billing/sandbox-charge.ts";
import type { Clock } from "./clock.ts";

import type { MeterRef } from "../lib/billing/sandbox-charge.ts";

export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  chargedMillicredits: number;
  steps: number;
}

export const CHARGE_NOT_RECORDED =
  "The usage of this step could not be recorded in the credits ledger, so it was not charged and the turn stopped here. Please try again in a moment.";

export { estimateTokens } from "../lib/agents/prompt-size.ts";

/**
 * Meters one turn: each model step reserves its maximum cost before it runs and settles to its real token cost
 * after; each sandbox run settles its duration. Whatever is still held when the turn fails is released.
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

  constructor(d1: D1Database, ref: MeterRef, model: ModelRates, clock: Clock) {
    this.#d1 = d1;
    this.#ref = ref;
    this.#model = model;
    this.#clock = clock;
  }

  #now(): Date {
    return new Date(this.#clock());
  }

  /** Holds the most this step can cost; throws InsufficientCredits (nothing is sent to the model then). */
  async reserveStep(promptTokens: number, maxOutputTokens: number): Promise<void> {
    await this.releaseOpen();
    const max = stepMaxCost(this.#model, promptTokens, maxOutputTokens);
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
    try {
      ({ chargedMillicredits } = await settle(
        this.#d1,
        reservation,
        stepCost(this.#model, { inputTokens, outputTokens }),
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
      this.chargeFailure = CHARGE_NOT_RECORDED;
      await release(this.#d1, reservation, this.#now()).catch(() => {});
      return;
    }
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
    const { result, chargedMillicredits, reservationId } = await chargeSandboxRun(this.#d1, this.#ref, run, this.#clock);
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

  get chargedCredits(): number {
    return toCredits(this.usage.chargedMillicredits);
  }
}

export { insufficientCredits };
