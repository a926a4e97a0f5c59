import { afterAll } from "vitest";
import { stopRunningGroups } from "../../scripts/lib/process-group.ts";

// Registered before the file's own hooks, so it runs after them: whatever they could not stop (a Worker whose start
// outlived the beforeAll timeout, for one) is stopped here, never left running after the file.
afterAll(async () => {
  const left = await stopRunningGroups();
  if (left > 0) console.warn(`stopped ${left} process group(s) this test file left running`);
}, 60_000);
