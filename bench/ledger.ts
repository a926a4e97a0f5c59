// Ledger benchmark: reserve+settle pairs per second on one account (every pair contends for the same balance row)
// and spread over 100 accounts, through the real Worker and local D1, beside GET /api/health/live measured the
// same way in the same run.
import { pathToFileURL } from "node:url";
import { startTestWorker, type TestWorker } from "../scripts/lib/harness/worker.ts";
import { formatMeasures, round, summarize, type Measure } from "./lib/stats.ts";

export interface LedgerBenchOptions {
  durationMs?: number;
  concurrency?: number;
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
    const spend = async (accountId: string) => {
      const response = await post(worker, "/api/test/ledger", { action: "spend", accountId, maxCost: 10, actualCost: 7 });
      if (response.status !== 200) throw new Error(`spend failed: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    };
    const live = async () => {
      await (await worker.fetch("/api/health/live")).arrayBuffer();
    };
    await throughput(1000, concurrency, () => spend(one));
    const reference = await throughput(durationMs, concurrency, live);
    const single = await throughput(durationMs, concurrency, () => spend(one));
    const spread = await throughput(durationMs, concurrency, (i) => spend(many[i % many.length]!));
    const audit = await (await post(worker, "/api/test/ledger", { action: "audit", accountId: one })).json();
    if (!(audit as { consistent: boolean }).consistent)
      throw new Error(`ledger inconsistent after the benchmark: ${JSON.stringify(audit)}`);
    const ref = { name: "GET /api/health/live", median: reference.opsPerSecond };
    return [
      {
        name: `ledger reserve+settle pairs/s, one account (${concurrency} concurrent clients)`,
        unit: "ops/s",
        median: single.opsPerSecond,
        reference: ref,
        note: `pair latency median ${summarize(single.latencies).median} ms`,
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
