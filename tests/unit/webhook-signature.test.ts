import { describe, expect, it } from "vitest";
import { REPLAY_WINDOW_SECONDS, signWebhook, verifyWebhookSignature } from "../../src/lib/triggers/signature.ts";

const SECRET = "whsec_test-secret";
const BODY = '{"event":"push"}';
const NOW_MS = 1_796_500_000_000;
const now = NOW_MS / 1000;

describe("webhook signatures", () => {
  it("accepts a signature made with the secret over the timestamp and body, and returns it as the delivery's key", async () => {
    const header = await signWebhook(SECRET, now, BODY);
    expect(await verifyWebhookSignature(SECRET, header, BODY, NOW_MS)).toBe(header.split("v1=")[1]);
  });

  it("refuses a missing or malformed header, saying how to sign", async () => {
    await expect(verifyWebhookSignature(SECRET, null, BODY, NOW_MS)).rejects.toThrow(/Unsigned request/);
    await expect(verifyWebhookSignature(SECRET, "v1=abc", BODY, NOW_MS)).rejects.toThrow(/Malformed/);
  });

  it("refuses another secret, another body and another timestamp", async () => {
    await expect(verifyWebhookSignature(SECRET, await signWebhook("whsec_other", now, BODY), BODY, NOW_MS)).rejects.toThrow(
      /Wrong signature/,
    );
    await expect(verifyWebhookSignature(SECRET, await signWebhook(SECRET, now, "{}"), BODY, NOW_MS)).rejects.toThrow(/Wrong signature/);
    const moved = (await signWebhook(SECRET, now, BODY)).replace(`t=${now}`, `t=${now + 1}`);
    await expect(verifyWebhookSignature(SECRET, moved, BODY, NOW_MS)).rejects.toThrow(/Wrong signature/);
  });

  it("refuses a timestamp outside the replay window on either side, and accepts one at its edge", async () => {
    for (const offset of [-(REPLAY_WINDOW_SECONDS + 1), REPLAY_WINDOW_SECONDS + 1]) {
      const header = await signWebhook(SECRET, now + offset, BODY);
      await expect(verifyWebhookSignature(SECRET, header, BODY, NOW_MS)).rejects.toThrow(/seconds away from now/);
    }
    const edge = await signWebhook(SECRET, now - REPLAY_WINDOW_SECONDS, BODY);
    await expect(verifyWebhookSignature(SECRET, edge, BODY, NOW_MS)).resolves.toMatch(/^[0-9a-f]{64}$/);
  });
});
