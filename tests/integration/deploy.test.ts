import { describe, expect, it } from "vitest";
import { WORKER_SIZE_LIMIT_BYTES, measureBundle } from "../../scripts/lib/bundle.ts";

describe("the deploy build", () => {
  it("bundles for the default and the production environment within Cloudflare's 64 MiB size limit", () => {
    for (const env of [undefined, "production"]) {
      const size = measureBundle(env);
      console.log(`bundle ${size.env}: ${size.rawBytes} bytes raw, ${size.gzipBytes} gzipped`);
      expect(size.gzipBytes).toBeGreaterThan(100_000);
      expect(size.rawBytes).toBeLessThan(WORKER_SIZE_LIMIT_BYTES);
    }
  });
});
