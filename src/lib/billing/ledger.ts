import { InsufficientCredits, Invalid, NotFound } from "../errors.ts";
import { monthlyAllowanceStatements } from "./allowance.ts";
import { BUY_CREDITS_PATH, RESERVATION_TTL_MS, formatCredits, monthKey, toCredits } from "./rules.ts";

/*
 * The credits ledger. Every change is one atomic D1 batch (D1 rejects BEGIN) whose statements are conditional:
 * the first statement decides (a reservation that fits, a reservation still open, an idempotency key not yet
 * used) and marks its decision with a fresh id or token; every later statement of the batch checks that mark.
 * So two concurrent callers can never both pass a check that only one of them may pass, and the cached balances
 * in credit_balance always equal the sums of ledger_entry.
 */

export interface SpendRef {
  agentId?: string;
  threadId?: string;
  modelId?: string;
}

export interface Reservation {
  id: string;
  accountId: string;
  amountMillicredits: number;
  expiresAt: number;
}

export interface SettleUsage extends SpendRef {
  inputTokens?: number;
  outputTokens?: number;
  sandboxMs?: number;
  reason?: string;
}

export interface Balance {
  freeMillicredits: number;
  purchasedMillicredits: number;
  reservedMillicredits: number;
  /** free + purchased: the sum of the ledger. */
  totalMillicredits: number;
  /** What a new reservation can take: total minus open reservations. */
  availableMillicredits: number;
}

interface BalanceRow {
  free_millicredits: number;
  purchased_millicredits: number;
  reserved_millicredits: number;
}

const newId = () => crypto.randomUUID();

/** Creates the balance row of an existing, not deleted account if it has none. */
function ensureBalanceRow(d1: D1Database, accountId: string, now: number): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO credit_balance (account_id, free_millicredits, purchased_millicredits, reserved_millicredits, updated_at)
       SELECT id, 0, 0, 0, ?1 FROM account WHERE id = ?2 AND deleted_at IS NULL
       ON CONFLICT (account_id) DO NOTHING`,
    )
    .bind(now, accountId);
}

/*
 * Accounts known to be up to date for a month: once a batch with the refresh statements has found the account's
 * balance row, those statements change nothing again that month (the row is never removed while the account
 * exists, and the month's allowance row admits one grant), so later batches of this isolate leave them out.
 */
const refreshedMonth = new Map<string, string>();
const MAX_REFRESHED_ACCOUNTS = 10_000;

function markRefreshed(accountId: string, now: Date): void {
  if (refreshedMonth.size >= MAX_REFRESHED_ACCOUNTS) refreshedMonth.clear();
  refreshedMonth.set(accountId, monthKey(now));
}

/** The statements that bring an account up to date before any read or spend: balance row and monthly allowance. */
function refreshStatements(d1: D1Database, accountId: string, now: Date): D1PreparedStatement[] {
  if (refreshedMonth.get(accountId) === monthKey(now)) return [];
  return [ensureBalanceRow(d1, accountId, now.getTime()), ...monthlyAllowanceStatements(d1, accountId, now)];
}

function toBalance(row: BalanceRow): Balance {
  const total = row.free_millicredits + row.purchased_millicredits;
  return {
    freeMillicredits: row.free_millicredits,
    purchasedMillicredits: row.purchased_millicredits,
    reservedMillicredits: row.reserved_millicredits,
    totalMillicredits: total,
    availableMillicredits: total - row.reserved_millicredits,
  };
}

function balanceQuery(d1: D1Database, accountId: string): D1PreparedStatement {
  return d1
    .prepare("SELECT free_millicredits, purchased_millicredits, reserved_millicredits FROM credit_balance WHERE account_id = ?1")
    .bind(accountId);
}

/** The account's balance, after granting this month's free allowance if it is due. */
export async function getBalance(d1: D1Database, accountId: string, now = new Date()): Promise<Balance> {
  const results = await d1.batch<BalanceRow>([...refreshStatements(d1, accountId, now), balanceQuery(d1, accountId)]);
  const row = results.at(-1)?.results[0];
  if (!row) throw new NotFound("No such account");
  markRefreshed(accountId, now);
  return toBalance(row);
}

export function insufficientCredits(balance: Balance, neededMillicredits: number): InsufficientCredits {
  const available = Math.max(0, balance.availableMillicredits);
  const message =
    available === 0
      ? `You are out of credits. Buy credits at ${BUY_CREDITS_PATH} to keep your agents working.`
      : `This needs up to ${formatCredits(neededMillicredits)} credits but only ${formatCredits(available)} are available. Buy credits at ${BUY_CREDITS_PATH}.`;
  return new InsufficientCredits(message, { balance: toCredits(available), buyUrl: BUY_CREDITS_PATH });
}

/**
 * Holds `maxCost` milli-credits for a step, or refuses atomically with InsufficientCredits when the available
 * balance cannot cover it. Free credits are spent first when the reservation is settled.
 */
export async function reserve(
  d1: D1Database,
  accountId: string,
  maxCostMillicredits: number,
  ref: SpendRef = {},
  now = new Date(),
): Promise<Reservation> {
  if (!Number.isSafeInteger(maxCostMillicredits) || maxCostMillicredits < 0) {
    throw new Invalid("A reservation must be a non-negative whole number of milli-credits");
  }
  const id = newId();
  const at = now.getTime();
  const expiresAt = at + RESERVATION_TTL_MS;
  const results = await d1.batch<BalanceRow>([
    ...refreshStatements(d1, accountId, now),
    d1
      .prepare(
        `INSERT INTO credit_reservation (id, account_id, amount_millicredits, status, agent_id, thread_id, model_id, expires_at, created_at)
         SELECT ?1, account_id, ?2, 'open', ?3, ?4, ?5, ?6, ?7 FROM credit_balance
         WHERE account_id = ?8 AND free_millicredits + purchased_millicredits - reserved_millicredits >= ?2`,
      )
      .bind(id, maxCostMillicredits, ref.agentId ?? null, ref.threadId ?? null, ref.modelId ?? null, expiresAt, at, accountId),
    d1
      .prepare(
        `UPDATE credit_balance SET reserved_millicredits = reserved_millicredits + ?1, updated_at = ?2
         WHERE account_id = ?3 AND EXISTS (SELECT 1 FROM credit_reservation WHERE id = ?4)`,
      )
      .bind(maxCostMillicredits, at, accountId, id),
    balanceQuery(d1, accountId),
  ]);
  const inserted = results.at(-3)?.meta.changes === 1;
  const row = results.at(-1)?.results[0];
  if (!row) throw new NotFound("No such account");
  markRefreshed(accountId, now);
  if (!inserted) throw insufficientCredits(toBalance(row), maxCostMillicredits);
  return { id, accountId, amountMillicredits: maxCostMillicredits, expiresAt };
}

/**
 * Charges the real cost of a reserved step (never more than was reserved), free credits first, and releases the
 * rest of the reservation. Settling twice charges once. A reservation the cron already expired is charged as far
 * as the balance still covers it.
 */
export async function settle(
  d1: D1Database,
  reservation: Reservation,
  actualMillicredits: number,
  usage: SettleUsage = {},
  now = new Date(),
): Promise<{ chargedMillicredits: number }> {
  if (!Number.isSafeInteger(actualMillicredits) || actualMillicredits < 0) {
    throw new Invalid("A cost must be a non-negative whole number of milli-credits");
  }
  const charge = Math.min(actualMillicredits, reservation.amountMillicredits);
  if (await closeReservation(d1, reservation, "open", charge, reservation.amountMillicredits, usage, now)) {
    return { chargedMillicredits: charge };
  }
  const status = await d1
    .prepare("SELECT status, actual_millicredits FROM credit_reservation WHERE id = ?1")
    .bind(reservation.id)
    .first<{ status: string; actual_millicredits: number | null }>();
  if (!status) throw new NotFound("No such reservation");
  if (status.status === "settled") return { chargedMillicredits: status.actual_millicredits ?? 0 };
  if (status.status === "expired") {
    const balance = await getBalance(d1, reservation.accountId, now);
    const late = Math.min(charge, Math.max(0, balance.availableMillicredits));
    await closeReservation(d1, reservation, "expired", late, 0, usage, now);
    return { chargedMillicredits: late };
  }
  throw new Invalid("This reservation was released and cannot be settled");
}

const FROM_FREE = "MIN(?1, free_millicredits)";
const CLOSED_BY_THIS_CALL = "EXISTS (SELECT 1 FROM credit_reservation WHERE id = ?9 AND close_token = ?10)";
const USAGE_ROW_VALUES = "?3, ?4, ?5, ?6, ?7, ?8, ?11, ?9, ?12 FROM credit_balance WHERE account_id = ?2";

/*
 * The usage rows of a charge in one statement, free bucket first, then purchased, each only if it takes something;
 * both read the balance before the charge moves it. ?1 charge, ?2 account, ?3 reason, ?4..?8 agent, thread, model,
 * input and output tokens, ?9 reservation, ?10 close token, ?11 sandbox ms, ?12 time, ?13 and ?14 the rows' ids.
 */
const USAGE_ROWS_SQL = `INSERT INTO ledger_entry (id, account_id, bucket, kind, amount_millicredits, balance_after_millicredits,
    reason, agent_id, thread_id, model_id, input_tokens, output_tokens, sandbox_ms, reservation_id, created_at)
  SELECT ?13, account_id, 'free', 'usage', -${FROM_FREE}, free_millicredits + purchased_millicredits - ${FROM_FREE},
    ${USAGE_ROW_VALUES} AND ${FROM_FREE} > 0 AND ${CLOSED_BY_THIS_CALL}
  UNION ALL
  SELECT ?14, account_id, 'purchased', 'usage', -(?1 - ${FROM_FREE}), free_millicredits + purchased_millicredits - ?1,
    ${USAGE_ROW_VALUES} AND ?1 - ${FROM_FREE} > 0 AND ${CLOSED_BY_THIS_CALL}`;

/**
 * One batch that closes a reservation in `fromStatus`: marks it settled with a fresh token, writes the usage rows
 * (free bucket first, then purchased) and moves the balances. Returns whether this call closed it.
 */
async function closeReservation(
  d1: D1Database,
  reservation: Reservation,
  fromStatus: "open" | "expired",
  charge: number,
  held: number,
  usage: SettleUsage,
  now: Date,
): Promise<boolean> {
  const token = newId();
  const at = now.getTime();
  const reason = usage.reason ?? "Agent usage";
  const results = await d1.batch([
    d1
      .prepare(
        `UPDATE credit_reservation SET status = 'settled', close_token = ?1, actual_millicredits = ?2, closed_at = ?3
         WHERE id = ?4 AND status = ?5`,
      )
      .bind(token, charge, at, reservation.id, fromStatus),
    d1
      .prepare(USAGE_ROWS_SQL)
      .bind(
        charge,
        reservation.accountId,
        reason,
        usage.agentId ?? null,
        usage.threadId ?? null,
        usage.modelId ?? null,
        usage.inputTokens ?? null,
        usage.outputTokens ?? null,
        reservation.id,
        token,
        usage.sandboxMs ?? null,
        at,
        newId(),
        newId(),
      ),
    d1
      .prepare(
        `UPDATE credit_balance SET
           free_millicredits = free_millicredits - MIN(?1, free_millicredits),
           purchased_millicredits = purchased_millicredits - (?1 - MIN(?1, free_millicredits)),
           reserved_millicredits = reserved_millicredits - ?2,
           updated_at = ?3
         WHERE account_id = ?4 AND EXISTS (SELECT 1 FROM credit_reservation WHERE id = ?5 AND close_token = ?6)`,
      )
      .bind(charge, held, at, reservation.accountId, reservation.id, token),
  ]);
  return results[0]?.meta.changes === 1;
}

/** Gives a reservation back without charging (the step failed or was cancelled). Releasing twice is harmless. */
export async function release(d1: D1Database, reservation: Reservation, now = new Date()): Promise<void> {
  const token = newId();
  await d1.batch(
    releaseStatements(d1, reservation.id, reservation.accountId, reservation.amountMillicredits, "released", token, now.getTime()),
  );
}

function releaseStatements(
  d1: D1Database,
  reservationId: string,
  accountId: string,
  amount: number,
  status: "released" | "expired",
  token: string,
  at: number,
): D1PreparedStatement[] {
  return [
    d1
      .prepare(`UPDATE credit_reservation SET status = ?1, close_token = ?2, closed_at = ?3 WHERE id = ?4 AND status = 'open'`)
      .bind(status, token, at, reservationId),
    d1
      .prepare(
        `UPDATE credit_balance SET reserved_millicredits = reserved_millicredits - ?1, updated_at = ?2
         WHERE account_id = ?3 AND EXISTS (SELECT 1 FROM credit_reservation WHERE id = ?4 AND close_token = ?5)`,
      )
      .bind(amount, at, accountId, reservationId, token),
  ];
}

/** Releases reservations left open past their expiry (their process crashed). Returns how many it released. */
export async function releaseExpiredReservations(d1: D1Database, now = new Date(), limit = 200): Promise<number> {
  const at = now.getTime();
  const { results } = await d1
    .prepare(`SELECT id, account_id, amount_millicredits FROM credit_reservation WHERE status = 'open' AND expires_at <= ?1 LIMIT ?2`)
    .bind(at, limit)
    .all<{ id: string; account_id: string; amount_millicredits: number }>();
  if (results.length === 0) return 0;
  const statements = results.flatMap((r) => releaseStatements(d1, r.id, r.account_id, r.amount_millicredits, "expired", newId(), at));
  const outcome = await d1.batch(statements);
  return outcome.filter((_, i) => i % 2 === 0).reduce((n, r) => n + (r.meta.changes ?? 0), 0);
}

export interface GrantInput {
  kind: "purchase" | "adjustment";
  amountMillicredits: number;
  reason: string;
  /** A purchase's unique source (for example `stripe:checkout:<session id>`): a repeated grant changes nothing. */
  idempotencyKey?: string;
  stripeSessionId?: string;
  stripeEventId?: string;
  actorUserId?: string;
}

/**
 * Adds (or, for a negative adjustment, removes) purchased credits with one ledger row. Returns false when the
 * idempotency key was already used. A removal that would take the purchased bucket or the available balance
 * below zero is refused.
 */
export async function grant(d1: D1Database, accountId: string, input: GrantInput, now = new Date()): Promise<{ granted: boolean }> {
  const amount = input.amountMillicredits;
  if (!Number.isSafeInteger(amount) || amount === 0) throw new Invalid("The amount must be a non-zero whole number of milli-credits");
  if (input.kind === "purchase" && amount < 0) throw new Invalid("A purchase adds credits");
  if (!input.reason.trim()) throw new Invalid("A reason is required");
  const id = newId();
  const at = now.getTime();
  const results = await d1.batch([
    ...refreshStatements(d1, accountId, now),
    d1
      .prepare(
        `INSERT INTO ledger_entry (id, account_id, bucket, kind, amount_millicredits, balance_after_millicredits, reason,
           stripe_session_id, stripe_event_id, actor_user_id, idempotency_key, created_at)
         SELECT ?1, account_id, 'purchased', ?2, ?3, free_millicredits + purchased_millicredits + ?3, ?4, ?5, ?6, ?7, ?8, ?9
         FROM credit_balance
         WHERE account_id = ?10 AND purchased_millicredits + ?3 >= 0
           AND free_millicredits + purchased_millicredits - reserved_millicredits + ?3 >= 0
         ON CONFLICT (idempotency_key) DO NOTHING`,
      )
      .bind(
        id,
        input.kind,
        amount,
        input.reason.trim(),
        input.stripeSessionId ?? null,
        input.stripeEventId ?? null,
        input.actorUserId ?? null,
        input.idempotencyKey ?? null,
        at,
        accountId,
      ),
    d1
      .prepare(
        `UPDATE credit_balance SET purchased_millicredits = purchased_millicredits + ?1, updated_at = ?2
         WHERE account_id = ?3 AND EXISTS (SELECT 1 FROM ledger_entry WHERE id = ?4)`,
      )
      .bind(amount, at, accountId, id),
    balanceQuery(d1, accountId),
  ]);
  if (!results.at(-1)?.results[0]) throw new NotFound("No such account");
  const granted = results.at(-3)?.meta.changes === 1;
  if (!granted && amount < 0 && !input.idempotencyKey) {
    throw new Invalid("This adjustment would take the account's purchased or available credits below zero");
  }
  return { granted };
}

export interface BalanceAudit {
  cached: { freeMillicredits: number; purchasedMillicredits: number; reservedMillicredits: number };
  ledger: { freeMillicredits: number; purchasedMillicredits: number };
  openReservationsMillicredits: number;
  consistent: boolean;
}

/** Compares the cached balances with the ledger sums and the open reservations (for tests and admins). */
export async function auditBalance(d1: D1Database, accountId: string): Promise<BalanceAudit> {
  const [cachedResult, ledgerResult, heldResult] = await d1.batch<Record<string, number | null>>([
    balanceQuery(d1, accountId),
    d1
      .prepare(
        `SELECT COALESCE(SUM(CASE WHEN bucket = 'free' THEN amount_millicredits END), 0) AS free,
                COALESCE(SUM(CASE WHEN bucket = 'purchased' THEN amount_millicredits END), 0) AS purchased
         FROM ledger_entry WHERE account_id = ?1`,
      )
      .bind(accountId),
    d1
      .prepare(`SELECT COALESCE(SUM(amount_millicredits), 0) AS held FROM credit_reservation WHERE account_id = ?1 AND status = 'open'`)
      .bind(accountId),
  ]);
  const cached = (cachedResult?.results[0] as unknown as BalanceRow | undefined) ?? {
    free_millicredits: 0,
    purchased_millicredits: 0,
    reserved_millicredits: 0,
  };
  const sums = ledgerResult?.results[0] ?? {};
  const ledger = { freeMillicredits: Number(sums.free ?? 0), purchasedMillicredits: Number(sums.purchased ?? 0) };
  const held = Number(heldResult?.results[0]?.held ?? 0);
  return {
    cached: {
      freeMillicredits: cached.free_millicredits,
      purchasedMillicredits: cached.purchased_millicredits,
      reservedMillicredits: cached.reserved_millicredits,
    },
    ledger,
    openReservationsMillicredits: held,
    consistent:
      cached.free_millicredits === ledger.freeMillicredits &&
      cached.purchased_millicredits === ledger.purchasedMillicredits &&
      cached.reserved_millicredits === held &&
      cached.free_millicredits >= 0 &&
      cached.purchased_millicredits >= 0,
  };
}

export interface RefundInput {
  stripeSessionId: string;
  /** How many of the purchase's milli-credits the refunds so far stand for (cumulative, from the charge). */
  targetMillicredits: number;
  stripeEventId?: string;
  reason: string;
}

/**
 * Removes the newly refunded share of a purchase's credits, as far as they remain: never more than the purchased
 * bucket holds nor more than is available beside open reservations, so no balance goes negative. The purchase's
 * refund target only moves up, with a compare-and-set on its previous value, so replays, reordered partial
 * refunds and concurrent deliveries remove each share once. Returns what was removed by this call.
 */
export async function removeRefundedCredits(
  d1: D1Database,
  input: RefundInput,
  now = new Date(),
): Promise<{ removedMillicredits: number; applied: boolean }> {
  if (!Number.isSafeInteger(input.targetMillicredits) || input.targetMillicredits < 0) {
    throw new Invalid("A refund target must be a non-negative whole number of milli-credits");
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const purchase = await d1
      .prepare("SELECT account_id, credits_millicredits, refund_target_millicredits FROM credit_purchase WHERE stripe_session_id = ?1")
      .bind(input.stripeSessionId)
      .first<{ account_id: string; credits_millicredits: number; refund_target_millicredits: number }>();
    if (!purchase) throw new NotFound("No such purchase");
    const target = Math.min(input.targetMillicredits, purchase.credits_millicredits);
    const previous = purchase.refund_target_millicredits;
    if (target <= previous) return { removedMillicredits: 0, applied: false };
    const delta = target - previous;
    const token = newId();
    const entryId = newId();
    const at = now.getTime();
    const accountId = purchase.account_id;
    const removable = `MIN(?1, purchased_millicredits, free_millicredits + purchased_millicredits - reserved_millicredits)`;
    const results = await d1.batch([
      ...refreshStatements(d1, accountId, now),
      d1
        .prepare(
          `UPDATE credit_purchase SET refund_target_millicredits = ?1, refund_token = ?2
           WHERE stripe_session_id = ?3 AND refund_target_millicredits = ?4`,
        )
        .bind(target, token, input.stripeSessionId, previous),
      d1
        .prepare(
          `INSERT INTO ledger_entry (id, account_id, bucket, kind, amount_millicredits, balance_after_millicredits, reason,
             stripe_session_id, stripe_event_id, idempotency_key, created_at)
           SELECT ?2, account_id, 'purchased', 'refund', -${removable}, free_millicredits + purchased_millicredits - ${removable},
             ?3, ?4, ?5, ?6, ?7
           FROM credit_balance
           WHERE account_id = ?8 AND ${removable} > 0
             AND EXISTS (SELECT 1 FROM credit_purchase WHERE stripe_session_id = ?4 AND refund_token = ?9)`,
        )
        .bind(
          delta,
          entryId,
          input.reason,
          input.stripeSessionId,
          input.stripeEventId ?? null,
          `stripe:refund:${input.stripeSessionId}:${target}`,
          at,
          accountId,
          token,
        ),
      d1
        .prepare(
          `UPDATE credit_balance SET purchased_millicredits = purchased_millicredits + (SELECT amount_millicredits FROM ledger_entry WHERE id = ?1),
             updated_at = ?2
           WHERE account_id = ?3 AND EXISTS (SELECT 1 FROM ledger_entry WHERE id = ?1)`,
        )
        .bind(entryId, at, accountId),
      d1
        .prepare(
          `UPDATE credit_purchase SET refunded_millicredits = refunded_millicredits - (SELECT amount_millicredits FROM ledger_entry WHERE id = ?1)
           WHERE stripe_session_id = ?2 AND refund_token = ?3 AND EXISTS (SELECT 1 FROM ledger_entry WHERE id = ?1)`,
        )
        .bind(entryId, input.stripeSessionId, token),
    ]);
    const decided = results.at(-4)?.meta.changes === 1;
    if (!decided) continue;
    const removed = results.at(-3)?.meta.changes === 1;
    if (!removed) return { removedMillicredits: 0, applied: true };
    const row = await d1
      .prepare("SELECT amount_millicredits FROM ledger_entry WHERE id = ?1")
      .bind(entryId)
      .first<{ amount_millicredits: number }>();
    return { removedMillicredits: -(row?.amount_millicredits ?? 0), applied: true };
  }
  throw new Invalid("The purchase's refund kept changing under concurrent updates; try again");
}

/** What GET /api/credits answers: the balance in credits, split by bucket, with what open reservations hold. */
export function creditsView(accountId: string, balance: Balance) {
  return {
    accountId,
    balance: toCredits(balance.totalMillicredits),
    free: toCredits(balance.freeMillicredits),
    purchased: toCredits(balance.purchasedMillicredits),
    reserved: toCredits(balance.reservedMillicredits),
    available: toCredits(balance.availableMillicredits),
  };
}
