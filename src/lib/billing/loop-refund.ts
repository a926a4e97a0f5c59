/*
 * Refunds of what an agent's repeated steps cost (src/agent/loop-breaker.ts). Each refunded reservation gives back
 * exactly what its usage rows took, to the bucket each took it from, as `loop_refund` ledger rows. Like every ledger
 * change it is one conditional D1 batch; the idempotency key per reservation and bucket makes a repeated refund
 * change nothing, so the cached balance always equals the sum of the ledger.
 */

const BUCKETS = ["free", "purchased"] as const;

export interface LoopRefundRef {
  accountId: string;
  reason: string;
}

/** Refunds the usage charged under these reservations; returns the milli-credits this call gave back. */
export async function refundReservations(
  d1: D1Database,
  ref: LoopRefundRef,
  reservationIds: readonly string[],
  now = new Date(),
): Promise<number> {
  const unique = [...new Set(reservationIds)];
  if (unique.length === 0) return 0;
  const at = now.getTime();
  const rowIds: string[] = [];
  const statements = unique.flatMap((reservationId) =>
    BUCKETS.flatMap((bucket) => {
      const id = crypto.randomUUID();
      rowIds.push(id);
      const column = bucket === "free" ? "free_millicredits" : "purchased_millicredits";
      return [
        d1
          .prepare(
            `INSERT INTO ledger_entry (id, account_id, bucket, kind, amount_millicredits, balance_after_millicredits, reason,
               agent_id, thread_id, model_id, reservation_id, idempotency_key, created_at)
             SELECT ?1, b.account_id, ?2, 'loop_refund', u.total, b.free_millicredits + b.purchased_millicredits + u.total, ?3,
               u.agent_id, u.thread_id, u.model_id, ?4, ?5, ?6
             FROM credit_balance AS b,
               (SELECT -SUM(amount_millicredits) AS total, MAX(agent_id) AS agent_id, MAX(thread_id) AS thread_id,
                  MAX(model_id) AS model_id
                FROM ledger_entry WHERE account_id = ?7 AND reservation_id = ?4 AND bucket = ?2 AND kind = 'usage') AS u
             WHERE b.account_id = ?7 AND u.total > 0
             ON CONFLICT (idempotency_key) DO NOTHING`,
          )
          .bind(id, bucket, ref.reason, reservationId, `loop_refund:${reservationId}:${bucket}`, at, ref.accountId),
        d1
          .prepare(
            `UPDATE credit_balance SET ${column} = ${column} + (SELECT amount_millicredits FROM ledger_entry WHERE id = ?1),
               updated_at = ?2
             WHERE account_id = ?3 AND EXISTS (SELECT 1 FROM ledger_entry WHERE id = ?1)`,
          )
          .bind(id, at, ref.accountId),
      ];
    }),
  );
  await d1.batch(statements);
  const placeholders = rowIds.map((_, i) => `?${i + 1}`).join(", ");
  const row = await d1
    .prepare(`SELECT COALESCE(SUM(amount_millicredits), 0) AS refunded FROM ledger_entry WHERE id IN (${placeholders})`)
    .bind(...rowIds)
    .first<{ refunded: number }>();
  return row?.refunded ?? 0;
}
