// Ledger benchmark: reserve+settle pairs per second on one account (every pair contends for the same balance row)
// and spread over 100 accounts, through the real Worker and local D1, beside GET /api/health/live measured the
// same way in the same run; then the ledger's own cost without HTTP (a test hook runs the pairs inside the
// Worker), with group commit beside each batch sent alone.
import { pathToFileURL } from "node:url";
import { startTestWorker, type TestWorker } from "../scripts/lib/harness/worker.ts";
import { formatMeasures, round, summarize, type Measure } from "./lib/stats.ts";

export interface LedgerBenchOptions {
  durationMs?: number;
  concurrency?: number;
}

interface PairsOutcome {
  pairsPerSecond: number;
  refused: number;
  failed: number;
  batches: number;
  sent: number;
  reference: { opsPerSecond: number };
}

async function post(worker: TestWorker, path: string, body: object): Promise<Response> {
  return worker.fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function newAccount(worker: TestWorker): Promise<string> {
  const response = await post(worker, "/api/test/accounts", { kind: "team", name: "bench" });
  const { id } = (await response.json()) as { id: string };
  await post(worker, "/api/test/ledger", { action: "grant", accountId: id, amount: 1_000_000_000 });
  return id;
}

/** Runs `concurrency` loops of `op` until the deadline; returns operations per second and per-operation latencies. */
async function throughput(durationMs: number, concurrency: number, op: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = worker; performance.now() < deadline; i += concurrency) {
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { opsPerSecond: round((latencies.length * 1000) / (performance.now() - started)), latencies };
}

export async function benchLedger(options: LedgerBenchOptions = {}): Promise<Measure[]> {
  const durationMs = options.durationMs ?? 5000;
  const concurrency = options.concurrency ?? 16;
  const worker = await startTestWorker();
  try {
    const one = await newAccount(worker);
    const many = await Promise.all(Array.from({ length: 100 }, () => newAccount(worker)));
    const spend = async (accountId: string, grouped = true) => {
      const response = await post(worker, "/api/test/ledger", { action: "spend", accountId, maxCost: 10, actualCost: 7, grouped });
      if (response.status !== 200) throw new Error(`spend failed: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    };
    const live = async () => {
      await (await worker.fetch("/api/health/live")).arrayBuffer();
    };
    await throughput(1000, concurrency, () => spend(one));
    const reference = await throughput(durationMs, concurrency, live);
    const single = await throughput(durationMs, concurrency, () => spend(one));
    const singleAlone = await throughput(durationMs, concurrency, () => spend(one, false));
    const spread = await throughput(durationMs, concurrency, (i) => spend(many[i % many.length]!));
    // The ledger's own cost, without HTTP: the same pairs inside the Worker, grouped and each batch alone.
    const inProcess = async (accountIds: string[], grouped: boolean) => {
      const body = { action: "pairs", accountIds, pairs: 800, concurrency, maxCost: 10, actualCost: 7, grouped };
      const response = await post(worker, "/api/test/ledger", body);
      if (response.status !== 200) throw new Error(`pairs failed: ${response.status} ${await response.text()}`);
      const outcome = (await response.json()) as PairsOutcome;
      if (outcome.failed + outcome.refused > 0) throw new Error(`pairs failed or were refused: ${JSON.stringify(outcome)}`);
      return outcome;
    };
    const alone = await inProcess([one], false);
    const grouped = await inProcess([one], true);
    const groupedMany = await inProcess(many, true);
    const audit = await (await post(worker, "/api/test/ledger", { action: "audit", accountId: one })).json();
    if (!(audit as { consistent: boolean }).consistent)
      throw new Error(`ledger inconsistent after the benchmark: ${JSON.stringify(audit)}`);
    const ref = { name: "GET /api/health/live", median: reference.opsPerSecond };
    const carried = (o: PairsOutcome) => `${o.batches} ledger batches in ${o.sent} D1 batches`;
    return [
      {
        name: `ledger reserve+settle pairs/s, one account (${concurrency} concurrent clients)`,
        unit: "ops/s",
        median: single.opsPerSecond,
        target: ">= 500 pairs/s, exact",
        met: single.opsPerSecond >= 500,
        reference: ref,
        note: `pair latency median ${summarize(single.latencies).median} ms; with each batch sent alone ${singleAlone.opsPerSecond} pairs/s, latency median ${summarize(singleAlone.latencies).median} ms; each pair is one HTTP request, so the trivial route's rate in the same run bounds it`,
      },
      {
        name: `ledger reserve+settle pairs/s inside the Worker (no HTTP), one account, ${concurrency} concurrent, group commit`,
        unit: "ops/s",
        median: grouped.pairsPerSecond,
        target: ">= 500 pairs/s, exact",
        met: grouped.pairsPerSecond >= 500,
        reference: { name: "the same pairs, each batch its own D1 transaction", median: alone.pairsPerSecond },
        note: `${carried(grouped)} (alone: ${carried(alone)}); bare D1 round trips (batch of one SELECT 1) in the same request: ${grouped.reference.opsPerSecond}/s`,
      },
      {
        name: `ledger reserve+settle pairs/s inside the Worker (no HTTP), 100 accounts, ${concurrency} concurrent, group commit`,
        unit: "ops/s",
        median: groupedMany.pairsPerSecond,
        reference: { name: "one account, each batch alone", median: alone.pairsPerSecond },
        note: carried(groupedMany),
      },
      {
        name: `ledger reserve+settle pairs/s, 100 accounts (${concurrency} concurrent clients)`,
        unit: "ops/s",
        median: spread.opsPerSecond,
        reference: ref,
      },
      {
        name: "ledger pair latency, one account",
        unit: "ms",
        ...summarize(single.latencies),
        reference: { name: "GET /api/health/live", median: summarize(reference.latencies).median },
      },
    ];
  } finally {
    await worker.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(formatMeasures(await benchLedger()));
}
