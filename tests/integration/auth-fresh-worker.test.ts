import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMITS } from "../../src/lib/ratelimit/limits.ts";
import { signUp, uniqueEmail, uniqueIp } from "../support/auth.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

const WINDOW_SECONDS = 6;

// A Worker of its own: a fresh database (for the first-admin rule), ADMIN_EMAILS, and short rate limit windows.
describe("a fresh deployment", () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startTestWorker({ vars: { ADMIN_EMAILS: "Boss@Example.com, other@example.com", RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) } });
  });
  afterAll(() => worker?.dispose());

  const role = async (headers: Record<string, string>) =>
    ((await (await worker.fetch("/api/me", { headers })).json()) as { user: { role: string } }).user.role;

  it("makes the first account an admin, later ones users, and ADMIN_EMAILS admins", async () => {
    const first = await signUp(worker.url);
    expect(await role(first.headers)).toBe("admin");
    const second = await signUp(worker.url);
    expect(await role(second.headers)).toBe("user");
    const boss = await signUp(worker.url, { email: "boss@example.com" });
    expect(await role(boss.headers)).toBe("admin");
  });

  const signInAttempt = (ip: string, email = uniqueEmail("nobody")) =>
    worker.fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": ip, origin: worker.url },
      body: JSON.stringify({ email, password: "wrong password" }),
    });

  it("limits sign-in attempts per client IP with 429 and Retry-After, counts other IPs separately, and recovers", async () => {
    const ip = uniqueIp();
    const { limit } = RATE_LIMITS.signInByIp;
    const statuses = (await Promise.all(Array.from({ length: limit }, () => signInAttempt(ip)))).map((r) => r.status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const tripped = await signInAttempt(ip);
    expect(tripped.status).toBe(429);
    const retryAfter = Number(tripped.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(((await tripped.json()) as { error: { code: string } }).error.code).toBe("rate_limited");

    expect((await signInAttempt(uniqueIp())).status).toBe(401);

    const deadline = Date.now() + (WINDOW_SECONDS + 5) * 1000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await signInAttempt(ip)).status;
    }
    expect(status).toBe(401);
  });

  it("limits sign-in attempts per account whatever the IP", async () => {
    const user = await signUp(worker.url);
    const { limit } = RATE_LIMITS.signInByEmail;
    for (let i = 0; i < limit; i++) expect((await signInAttempt(uniqueIp(), user.email)).status).toBe(401);
    expect((await signInAttempt(uniqueIp(), user.email)).status).toBe(429);
  });

  it("limits password reset and verification emails per address", async () => {
    const user = await signUp(worker.url);
    const send = (path: string) =>
      worker.fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": uniqueIp(), origin: worker.url },
        body: JSON.stringify({ email: user.email, redirectTo: "/reset-password" }),
      });
    for (let i = 0; i < RATE_LIMITS.passwordResetByEmail.limit; i++) expect((await send("/api/auth/request-password-reset")).status).toBe(200);
    expect((await send("/api/auth/request-password-reset")).status).toBe(429);
    for (let i = 0; i < RATE_LIMITS.verificationEmailByEmail.limit; i++) expect((await send("/api/auth/send-verification-email")).status).toBe(200);
    expect((await send("/api/auth/send-verification-email")).status).toBe(429);
  });
});
