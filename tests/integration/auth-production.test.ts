import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeResend, type FakeResend } from "../../fakes/resend.ts";
import { uniqueEmail, uniqueIp } from "../support/auth.ts";
import { rawRequest } from "../support/http.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

// The Worker with ENVIRONMENT=production (still on local bindings): cookies must be Secure with the __Secure- prefix.
describe("authentication in production mode", () => {
  let resend: FakeResend;
  let worker: TestWorker;
  beforeAll(async () => {
    resend = await startFakeResend();
    worker = await startTestWorker({
      vars: {
        ENVIRONMENT: "production",
        BETTER_AUTH_SECRET: `prod-test-${crypto.randomUUID()}`,
        RESEND_API_KEY: "re_test_key",
        RESEND_BASE_URL: resend.url,
      },
    });
  });
  afterAll(async () => {
    await worker?.dispose();
    await resend?.close();
  });

  it("sets a Secure, HttpOnly, SameSite=Lax __Secure- session cookie and emails links on APP_URL", async () => {
    const email = uniqueEmail("prod");
    // A forged Host header must not steer the links in emails: production builds them from APP_URL.
    const response = await rawRequest(`${worker.url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: worker.url, "cf-connecting-ip": uniqueIp(), host: "evil.example" },
      body: JSON.stringify({ name: "Prod User", email, password: "long enough password" }),
    });
    expect(response.status, response.body).toBe(200);
    const setCookie = response.headers["set-cookie"] ?? [];
    const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie]).find((c) => c.includes("session_token="))!;
    expect(cookie.startsWith("__Secure-netm8.session_token=")).toBe(true);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const me = await worker.fetch("/api/me", { headers: { cookie: cookie.split(";")[0]! } });
    expect(me.status).toBe(200);

    const deadline = Date.now() + 10_000;
    while (!resend.sent.some((m) => m.to === email) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const sent = resend.sent.find((m) => m.to === email);
    expect(sent?.subject).toMatch(/verify/i);
    expect(sent?.text).toContain(`${worker.url}/api/auth/verify-email?token=`);
    expect(sent?.text).not.toContain("evil.example");
  });
});
