import { config } from "zod/v4/core";

// Runs in the browser before the app's own code. Zod probes for eval with `new Function("")` before compiling fast
// parsers; under the app's CSP (no 'unsafe-eval', src/worker/security-headers.ts) the probe is reported as a policy
// violation even though Zod catches the error, so the browser bundle parses without it.
config({ jitless: true });
