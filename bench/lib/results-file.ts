import { existsSync, readFileSync } from "node:fs";
import type { Measure } from "./stats.ts";

/** The measures of each bench as last measured, kept in results.md so a partial run keeps the other benches' rows. */
export type StoredResults = Record<string, { measuredAt: string; measures: Measure[] }>;

const DATA_START = "<!-- bench-data ";
const DATA_END = " -->";

export function storedBlock(results: StoredResults): string {
  return `${DATA_START}${JSON.stringify(results)}${DATA_END}`;
}

/** Reads the stored measures back; a results.md written before they were stored is parsed from its table. */
export function readStoredResults(path: string, benchOf: (measureName: string) => string | undefined): StoredResults {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, "utf8");
  const start = text.lastIndexOf(DATA_START);
  if (start >= 0) {
    const end = text.indexOf(DATA_END, start + DATA_START.length);
    try {
      return JSON.parse(text.slice(start + DATA_START.length, end)) as StoredResults;
    } catch {
      return {};
    }
  }
  return parseTable(text, benchOf);
}

function parseTable(text: string, benchOf: (measureName: string) => string | undefined): StoredResults {
  const measuredAt = /on (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(text)?.[1] ?? "an earlier run";
  const notes = new Map<string, string>();
  for (const line of text.split("\n")) {
    const note = /^- (.+?): (.*)$/.exec(line);
    if (note) notes.set(note[1]!, note[2]!);
  }
  const results: StoredResults = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith("| ") || line.startsWith("| measure |") || line.startsWith("| ---")) continue;
    const cells = line.slice(2, -2).split(" | ");
    const [name = "", median = "", p95 = "", target = "", met = "", reference = ""] = cells;
    const bench = benchOf(name);
    const value = /^(-?[\d.]+) (.+)$/.exec(median);
    if (!bench || !value) continue;
    const p95Value = /^(-?[\d.]+) /.exec(p95)?.[1];
    const ref = /^(.*): (-?[\d.]+) /.exec(reference);
    const measure: Measure = {
      name,
      unit: value[2] as Measure["unit"],
      median: Number(value[1]),
      ...(p95Value !== undefined && { p95: Number(p95Value) }),
      ...(target && { target }),
      ...(met && { met: met === "met" }),
      ...(ref && { reference: { name: ref[1]!, median: Number(ref[2]) } }),
      ...(notes.has(name) && { note: notes.get(name) }),
    };
    (results[bench] ??= { measuredAt, measures: [] }).measures.push(measure);
  }
  return results;
}
