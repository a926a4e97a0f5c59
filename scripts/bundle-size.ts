// `npm run bundle-size`: the Worker's size as deployed against Cloudflare's 64 MiB uncompressed limit, and its
// largest parts.
import { buildIfNeeded } from "./lib/build.ts";
import { WORKER_SIZE_LIMIT_BYTES, formatMiB, measureBundle } from "./lib/bundle.ts";

buildIfNeeded();
const size = measureBundle(process.argv[2]);
console.log(`Worker bundle (${size.env}): ${formatMiB(size.rawBytes)} raw, ${formatMiB(size.gzipBytes)} gzipped`);
console.log(
  `Size limit ${formatMiB(WORKER_SIZE_LIMIT_BYTES)} uncompressed: ${size.rawBytes <= WORKER_SIZE_LIMIT_BYTES ? "fits" : "too large"}`,
);
console.log("Largest parts (raw bytes in the bundle):");
for (const part of size.parts.slice(0, 15)) console.log(`  ${formatMiB(part.bytes).padStart(10)}  ${part.name}`);
