// `npm run bundle-size`: the Worker's size as deployed, gzipped, against the free (3 MiB) and paid (10 MiB) limits.
import { buildIfNeeded } from "./lib/build.ts";
import { FREE_PLAN_LIMIT_BYTES, PAID_PLAN_LIMIT_BYTES, formatMiB, measureBundle } from "./lib/bundle.ts";

buildIfNeeded();
const size = measureBundle(process.argv[2]);
console.log(`Worker bundle (${size.env}): ${formatMiB(size.rawBytes)} raw, ${formatMiB(size.gzipBytes)} gzipped`);
console.log(`Free plan limit ${formatMiB(FREE_PLAN_LIMIT_BYTES)}: ${size.gzipBytes <= FREE_PLAN_LIMIT_BYTES ? "fits" : "too large"}`);
console.log(`Paid plan limit ${formatMiB(PAID_PLAN_LIMIT_BYTES)}: ${size.gzipBytes <= PAID_PLAN_LIMIT_BYTES ? "fits" : "too large"}`);
console.log("Largest parts (raw bytes in the bundle):");
for (const part of size.parts.slice(0, 15)) console.log(`  ${formatMiB(part.bytes).padStart(10)}  ${part.name}`);
