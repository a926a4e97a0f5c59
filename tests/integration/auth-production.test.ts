import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeResend, type FakeResend } from "../../fakes/resend.ts";
import { uniqueEmail, uniqueIp } from "../support/auth.ts";
import { rawRequest } from "../support/http.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

// The Worker with ENVIRONMENT=production (still on local bindings): the session cookie must be Secure with the __Host-
// prefix, and a browser still holding the old __Secure- cookie stays signed in and gets the new one.
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
        // Previews on a domain of their own: the old session cookie can be adopted (see the unit test without it).
        PREVIEW_DOMAIN: "previews.test",
      },
    });
  });
  afterAll(async () => {
    await worker?.dispose();
    await resend?.close();
  });

  it("sets a Secure, HttpOnly, SameSite=Lax __Host- session cookie and emails links on APP_URL", async () => {
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
    expect(cookie.startsWith("__Host-netm8.session_token=")).toBe(true);
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

  it("keeps a browser holding the old __Secure- session cookie signed in and moves it to the __Host- name", async () => {
    const response = await rawRequest(`${worker.url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: worker.url, "cf-connecting-ip": uniqueIp() },
      body: JSON.stringify({ name: "Old Cookie", email: uniqueEmail("legacy"), password: "long enough password" }),
    });
    expect(response.status, response.body).toBe(200);
    const issued = [response.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("__Host-netm8.session_token="))!;
    const value = issued.split(";")[0]!.slice("__Host-netm8.session_token=".length);
    const legacy = `__Secure-netm8.session_token=${value}`;

    // An API call and a signed-in page, each carrying only the old cookie: served as the user, the cookie re-issued.
    for (const path of ["/api/me", "/settings"]) {
      const answer = await worker.fetch(path, { headers: { cookie: legacy }, redirect: "manual" });
      expect(answer.status, path).toBe(200);
      await answer.body?.cancel();
      const cookies = answer.headers.getSetCookie();
      const renamed = cookies.find((c) => c.startsWith("__Host-netm8.session_token="));
      expect(renamed?.split(";")[0], path).toBe(`__Host-netm8.session_token=${value}`);
      expect(renamed, path).toMatch(/;\s*Secure/i);
      expect(renamed, path).toMatch(/;\s*HttpOnly/i);
      expect(renamed, path).toMatch(/;\s*Path=\/(;|$)/i);
      expect(renamed, path).not.toMatch(/Domain=/i);
      expect(Number(/Max-Age=(\d+)/i.exec(renamed!)?.[1]), path).toBeGreaterThan(29 * 24 * 3600);
      const expired = cookies.find((c) => c.startsWith("__Secure-netm8.session_token="));
      expect(expired, path).toMatch(/^__Secure-netm8\.session_token=;.*Max-Age=0/i);
    }

    // The re-issued cookie is the session; the old one next to it is only expired.
    const both = await worker.fetch("/api/me", { headers: { cookie: `${legacy}; __Host-netm8.session_token=${value}` } });
    expect(both.status).toBe(200);
    expect(both.headers.getSetCookie().filter((c) => c.startsWith("__Host-"))).toEqual([]);
    expect(both.headers.getSetCookie().some((c) => /^__Secure-netm8\.session_token=;.*Max-Age=0/i.test(c))).toBe(true);
    await both.body?.cancel();

    // A tampered old cookie signs nobody in and is not re-issued.
    const forgedValue = `${value.startsWith("A") ? "B" : "A"}${value.slice(1)}`;
    const forged = await worker.fetch("/api/me", { headers: { cookie: `__Secure-netm8.session_token=${forgedValue}` } });
    expect(forged.status).toBe(401);
    expect(forged.headers.getSetCookie().filter((c) => c.startsWith("__Host-"))).toEqual([]);
    await forged.body?.cancel();
  });
});
