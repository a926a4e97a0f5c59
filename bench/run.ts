// `npm run bench`: runs every benchmark and writes bench/results.md (measure, median, p95, target, the reference
// measured in the same run, the ratio, and the machine). `npm run bench -- ledger agent` runs only those
// and keeps the other benches' rows from the last results, dated.
import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { buildIfNeeded } from "../scripts/lib/build.ts";
import { formatMiB, measureBundle, measureStartup, measureTrivialStartup, WORKER_SIZE_LIMIT_BYTES } from "../scripts/lib/bundle.ts";
import { ROOT } from "../scripts/lib/paths.ts";
import { benchAgent } from "./agent.ts";
import { benchApi } from "./api.ts";
import { benchCheckpoints } from "./checkpoints.ts";
import { benchLedger } from "./ledger.ts";
import { benchLoad } from "./load.ts";
import { benchOpenAi } from "./openai.ts";
import { benchPage } from "./page.ts";
import { readStoredResults, storedBlock } from "./lib/results-file.ts";
import { formatMeasures, round, type Measure } from "./lib/stats.ts";
import { benchSandbox } from "./sandbox.ts";
import { benchTemplates } from "./templates.ts";

type Bench = () => Promise<Measure[]>;

const BENCHES: Record<string, Bench> = {
  sandbox: async () => {
    const stats = await benchSandbox({ runs: 50 });
    const by = (prefix: string) => stats.find((s) => s.name.startsWith(prefix))!;
    const bwrap = by("reference: bare bwrap");
    const trivial = by("reference: trivial sandboxd request");
    const cold = by("cold start");
    const warm = by("warm exec");
    return [
      {
        name: "sandbox cold start: new workspace -> first echo",
        unit: "ms",
        median: cold.medianMs,
        p95: cold.p95Ms,
        n: cold.runs,
        target: "median <= 150 ms",
        met: cold.medianMs <= 150,
        reference: { name: "bare bwrap /bin/true", median: bwrap.medianMs },
      },
      {
        name: "sandbox warm exec round trip",
        unit: "ms",
        median: warm.medianMs,
        p95: warm.p95Ms,
        n: warm.runs,
        target: "<= trivial request + 5 ms",
        met: warm.medianMs - trivial.medianMs <= 5,
        reference: { name: "trivial sandboxd request", median: trivial.medianMs },
      },
    ];
  },
  checkpoints: () => benchCheckpoints(),
  templates: async () => {
    const targetMs = { nextjs: 6000, "react-vite": 3000, "vue-vite": 3000 } as const;
    return (await benchTemplates({ runs: 3 })).map((s) => ({
      name: `template to live preview: ${s.template}`,
      unit: "ms",
      median: round(s.medianMs),
      p95: round(s.p95Ms),
      n: s.runs,
      target: `median <= ${targetMs[s.template]} ms`,
      met: s.medianMs <= targetMs[s.template],
      reference: { name: "same dev server on the host, installed, 1 CPU", median: round(s.referenceMs) },
      note: `dev server started ${Math.round(s.startedMs)} ms after apply (files copied, shared dependencies mounted); the rest is the dev server's own start and first compile, which the reference pays too`,
    }));
  },
  api: () => benchApi(),
  ledger: () => benchLedger(),
  agent: () => benchAgent({ profile: true }),
  load: () => benchLoad(),
  page: () => benchPage(),
  openai: () => benchOpenAi(),
  bundle: async () => {
    const size = measureBundle();
    const profile = join(ROOT, "bench", "out", "worker-startup.cpuprofile");
    const startup = [1, 2, 3].map(() => measureStartup(profile).activeMs);
    const trivial = [1, 2, 3].map(() => measureTrivialStartup().activeMs);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[1]!;
    return [
      {
        name: "Worker bundle, uncompressed",
        unit: "MiB",
        median: round(size.rawBytes / 1024 / 1024),
        target: "<= 64 MiB (Cloudflare's limit on every plan)",
        met: size.rawBytes <= WORKER_SIZE_LIMIT_BYTES,
        note: `${formatMiB(size.gzipBytes)} gzipped; largest parts (raw): ${size.parts
          .slice(0, 8)
          .map((p) => `${p.name} ${formatMiB(p.bytes)}`)
          .join(", ")}`,
      },
      {
        name: "Worker startup CPU (wrangler check startup, local workerd)",
        unit: "ms",
        median: round(median(startup)),
        n: startup.length,
        reference: { name: "a Worker that only answers ok, same way", median: round(median(trivial)) },
        note: `runs ${startup.map((v) => round(v)).join(", ")} ms; profile: bench/out/worker-startup.cpuprofile`,
      },
    ];
  },
};

const selected = process.argv.slice(2).filter((name) => name in BENCHES);
// `npm run bench -- --report` measures nothing: it writes results.md again from the rows it keeps (after a merge).
const reportOnly = process.argv.includes("--report");
const names = reportOnly ? [] : selected.length > 0 ? selected : Object.keys(BENCHES);
if (!reportOnly) buildIfNeeded();
const resultsPath = join(ROOT, "bench", "results.md");
// Rows of benches not run this time are kept from the last results, with the date they were measured.
const stored = readStoredResults(resultsPath, benchOfLegacyRow);
const measuredAt = new Date().toISOString();
for (const name of names) {
  console.log(`bench: ${name}...`);
  let measures: Measure[];
  try {
    measures = await BENCHES[name]!();
  } catch (error) {
    measures = [{ name: `${name} (failed)`, unit: "count", median: 0, note: String((error as Error).message ?? error) }];
  }
  stored[name] = { measuredAt, measures };
}
const order = [...Object.keys(BENCHES), ...Object.keys(stored).filter((name) => !(name in BENCHES))];
const measures: Measure[] = order.flatMap((name) =>
  (stored[name]?.measures ?? []).map((m) => ({ ...m, measuredAt: names.includes(name) ? undefined : stored[name]!.measuredAt })),
);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, load average at the end ${loadavg()
  .map((l) => l.toFixed(2))
  .join(" ")}`;
const notes = measures.filter((m) => m.note).map((m) => `- ${m.name}: ${m.note}`);
const report = [
  "# Benchmark results",
  "",
  reportOnly
    ? `Written by \`npm run bench -- --report\` on ${measuredAt} from the rows kept from earlier runs, each dated.`
    : `Written by \`npm run bench\` on ${measuredAt} (${names.join(", ")}; other rows kept from earlier runs, dated).`,
  "",
  `Machine: ${machine}.`,
  "",
  formatMeasures(measures),
  "",
  ...(notes.length ? ["Notes:", "", ...notes, ""] : []),
  storedBlock(stored),
  "",
].join("\n");
writeFileSync(resultsPath, report);
console.log(`\n${report.slice(0, report.lastIndexOf("<!--"))}`);

/** Which bench wrote a row of a results.md from before the bench data was stored in it. */
function benchOfLegacyRow(name: string): string | undefined {
  if (name.startsWith("sandbox")) return "sandbox";
  if (name.startsWith("template to live preview")) return "templates";
  if (name.startsWith("ledger")) return "ledger";
  if (name.startsWith("agent") || name.includes("concurrent streaming turns")) return "agent";
  if (name.startsWith("Worker bundle")) return "bundle";
  return undefined;
}
