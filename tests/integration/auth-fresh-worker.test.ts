import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMITS } from "../../src/lib/ratelimit/limits.ts";
import { createHash } from "node:crypto";
import { signUp, uniqueEmail, uniqueIp, verifyEmail } from "../support/auth.ts";
import { queryLocalD1 } from "../support/auth-db.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

// Only the per-IP sign-in window is shortened (to watch it recover); every other limit keeps its real window.
const WINDOW_SECONDS = 15;

// A Worker of its own: a fresh database (for the first-admin rule), ADMIN_EMAILS, and a short sign-in window.
describe("a fresh deployment", () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startTestWorker({
      vars: { ADMIN_EMAILS: "Boss@Example.com, other@example.com", RATE_LIMIT_WINDOW_SECONDS: `signInByIp=${WINDOW_SECONDS}` },
    });
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

  const signInAttempt = (ip: string, email = uniqueEmail("nobody"), password = "wrong password") =>
    worker.fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": ip, origin: worker.url },
      body: JSON.stringify({ email, password }),
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

  it("limits sign-in attempts per account from one client, without locking the account out from everywhere", async () => {
    const user = await signUp(worker.url);
    const attacker = uniqueIp();
    for (let i = 0; i < RATE_LIMITS.signInByEmailAndIp.limit; i++) expect((await signInAttempt(attacker, user.email)).status).toBe(401);
    const refused = await signInAttempt(attacker, user.email);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/reset your password/);
    // The owner, from their own client, is not locked out by the attacker's failures.
    expect((await signInAttempt(uniqueIp(), user.email, user.password)).status).toBe(200);
  });

  it("still caps sign-in attempts per account across every client, at a looser limit", async () => {
    const user = await signUp(worker.url);
    const { limit } = RATE_LIMITS.signInByEmail;
    const statuses = await Promise.all(Array.from({ length: limit }, () => signInAttempt(uniqueIp(), user.email)));
    expect(statuses.map((r) => r.status).filter((s) => s !== 401)).toEqual([]);
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
    for (let i = 0; i < RATE_LIMITS.passwordResetByEmail.limit; i++)
      expect((await send("/api/auth/request-password-reset")).status).toBe(200);
    expect((await send("/api/auth/request-password-reset")).status).toBe(429);
    for (let i = 0; i < RATE_LIMITS.verificationEmailByEmail.limit; i++)
      expect((await send("/api/auth/send-verification-email")).status).toBe(200);
    expect((await send("/api/auth/send-verification-email")).status).toBe(429);
  });

  it("stores only the SHA-256 of an API key and no password in plain text", async () => {
    const user = await signUp(worker.url, { password: "plain text must not be stored" });
    const created = await worker.fetch("/api/keys", {
      method: "POST",
      headers: { ...user.headers, "content-type": "application/json" },
      body: JSON.stringify({ name: "stored" }),
    });
    const { key } = (await created.json()) as { key: { id: string; secret: string } };
    const rows = queryLocalD1<{ key_hash: string }>(worker.persistTo, `SELECT * FROM api_key WHERE id = '${key.id}'`);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key.secret);
    expect(rows[0]!.key_hash).toBe(createHash("sha256").update(key.secret).digest("hex"));
    const credentials = queryLocalD1<{ password: string }>(
      worker.persistTo,
      "SELECT password FROM auth_account WHERE provider_id = 'credential'",
    );
    expect(credentials.length).toBeGreaterThan(0);
    expect(JSON.stringify(credentials)).not.toContain("plain text must not be stored");
    expect(credentials.every((c) => c.password.startsWith("pbkdf2-sha256$100000$"))).toBe(true);
  });

  it("creates the personal account with its owner; deleting the user removes their agents and keeps the account anonymised", async () => {
    const user = await signUp(worker.url, { name: "Soon Gone" });
    await verifyEmail(worker.url, user);
    const agents = await worker.fetch("/api/agent", { headers: user.headers });
    expect(agents.status).toBe(200);
    const { agents: list } = (await agents.json()) as { agents: { id: string }[] };
    expect(list.length).toBeGreaterThan(0);
    const { user: me, personalAccountId } = (await (await worker.fetch("/api/me", { headers: user.headers })).json()) as {
      user: { id: string };
      personalAccountId: string;
    };
    expect(queryLocalD1(worker.persistTo, `SELECT kind, name, personal_user_id FROM account WHERE id = '${personalAccountId}'`)).toEqual([
      { kind: "personal", name: "Soon Gone", personal_user_id: me.id },
    ]);
    expect(queryLocalD1(worker.persistTo, `SELECT user_id, role FROM account_member WHERE account_id = '${personalAccountId}'`)).toEqual([
      { user_id: me.id, role: "owner" },
    ]);

    const deleted = await worker.fetch("/api/auth/delete-user", {
      method: "POST",
      headers: { ...user.headers, "content-type": "application/json" },
      body: JSON.stringify({ password: user.password }),
    });
    expect(deleted.status).toBe(200);
    const [account] = queryLocalD1<{ name: string; personal_user_id: string | null; deleted_at: number | null }>(
      worker.persistTo,
      `SELECT name, personal_user_id, deleted_at FROM account WHERE id = '${personalAccountId}'`,
    );
    expect(account).toMatchObject({ name: "Deleted user", personal_user_id: null });
    expect(account!.deleted_at).toBeGreaterThan(0);
    expect(queryLocalD1(worker.persistTo, `SELECT * FROM account_member WHERE account_id = '${personalAccountId}'`)).toEqual([]);
    expect(queryLocalD1(worker.persistTo, `SELECT id FROM user WHERE id = '${me.id}'`)).toEqual([]);
    expect(queryLocalD1(worker.persistTo, `SELECT id FROM session WHERE user_id = '${me.id}'`)).toEqual([]);
    expect(queryLocalD1(worker.persistTo, `SELECT id FROM agent WHERE account_id = '${personalAccountId}'`)).toEqual([]);
  });
});
