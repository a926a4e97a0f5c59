import { describe, expect, it } from "vitest";
import { PAID_PLAN_LIMIT_BYTES, measureBundle } from "../../scripts/lib/bundle.ts";

describe("the deploy build", () => {
  it("bundles for the default and the production environment within the paid plan's size limit", () => {
    for (const env of [undefined, "production"]) {
      const size = measureBundle(env);
      console.log(`bundle ${size.env}: ${size.gzipBytes} bytes gzipped`);
      expect(size.gzipBytes).toBeGreaterThan(100_000);
      expect(size.gzipBytes).toBeLessThan(PAID_PLAN_LIMIT_BYTES);
    }
  });
});
