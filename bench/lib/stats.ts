/** One line of bench/results.md: a figure, its target, and the reference measured in the same run. */
export interface Measure {
  name: string;
  unit: "ms" | "ops/s" | "turns/s" | "MiB" | "KiB" | "count";
  median: number;
  p95?: number;
  n?: number;
  /** e.g. "<= 150 ms median". */
  target?: string;
  /** Whether the target is met (undefined when there is none). */
  met?: boolean;
  /** The reference figure measured in the same run, for the ratio. */
  reference?: { name: string; median: number };
  note?: string;
  /** When it was measured, for rows kept from an earlier run of `npm run bench` (shown in a "measured" column). */
  measuredAt?: string;
}

export interface Summary {
  median: number;
  p95: number;
  n: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { median: round(at(0.5)), p95: round(at(0.95)), n: samples.length };
}

export const round = (value: number) => Math.round(value * 100) / 100;

/** Runs `run` sequentially `runs` times and returns each duration in milliseconds. */
export async function sample(runs: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

export function formatMeasures(measures: Measure[]): string {
  const rows = measures.map((m) => [
    m.name,
    `${m.median} ${m.unit}`,
    m.p95 === undefined ? "" : `${m.p95} ${m.unit}`,
    m.target ?? "",
    m.met === undefined ? "" : m.met ? "met" : "missed",
    m.reference ? `${m.reference.name}: ${m.reference.median} ${m.unit}` : "",
    m.reference && m.reference.median > 0 ? `${round(m.median / m.reference.median)}x` : "",
  ]);
  const header = ["measure", "median", "p95", "target", "", "reference (same run)", "ratio"];
  if (measures.some((m) => m.measuredAt)) {
    header.push("measured");
    rows.forEach((row, i) => {
      row.push(measures[i]!.measuredAt ?? "this run");
    });
  }
  const table = [header, header.map(() => "---"), ...rows];
  return table.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
