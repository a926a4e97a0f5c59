// `npm run build`: the OpenNext build of the Worker (skipped when its inputs are unchanged; --force rebuilds).
import { buildIfNeeded } from "./lib/build.ts";

buildIfNeeded({ force: process.argv.includes("--force") });
