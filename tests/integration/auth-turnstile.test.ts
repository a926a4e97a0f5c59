import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeTurnstile, type FakeTurnstile } from "../../fakes/turnstile.ts";
import { uniqueEmail, uniqueIp } from "../support/auth.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

describe("Turnstile, when its keys are set", () => {
  let turnstile: FakeTurnstile;
  let worker: TestWorker;
  beforeAll(async () => {
    turnstile = await startFakeTurnstile();
    worker = await startTestWorker({
      vars: { TURNSTILE_SITE_KEY: "site-key-for-tests", TURNSTILE_SECRET_KEY: turnstile.secret, TURNSTILE_VERIFY_URL: turnstile.url },
    });
  });
  afterAll(async () => {
    await worker?.dispose();
    await turnstile?.close();
  });

  const signUp = (headers: Record<string, string>) =>
    worker.fetch("/api/auth/sign-up/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: worker.url, "cf-connecting-ip": uniqueIp(), ...headers },
      body: JSON.stringify({ name: "Captcha Person", email: uniqueEmail(), password: "long enough password" }),
    });

  it("refuses sign-up without a token or with a bad or reused one, and accepts a valid token", async () => {
    expect((await signUp({})).status).toBe(400);
    expect((await signUp({ "x-captcha-response": "forged" })).status).toBe(403);
    const token = turnstile.issueToken();
    expect((await signUp({ "x-captcha-response": token })).status).toBe(200);
    expect((await signUp({ "x-captcha-response": token })).status).toBe(403);
    expect(turnstile.verifications.at(-1)).toMatchObject({ secret: turnstile.secret, response: token });
  });

  it("puts the widget on the sign-in, sign-up and forgot-password pages", async () => {
    for (const path of ["/sign-in", "/sign-up", "/forgot-password"]) {
      const html = await (await worker.fetch(path)).text();
      expect(html, path).toContain("site-key-for-tests");
    }
  });
});
