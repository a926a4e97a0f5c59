import { describe, expect, inject, it } from "vitest";
import { mailLink, rebase, sessionCookie, signIn, signUp, uniqueEmail, uniqueIp, verifyEmail } from "../support/auth.ts";
import { rawRequest, WEBSOCKET_UPGRADE_HEADERS } from "../support/http.ts";
import { PERMISSIONS } from "../../src/lib/teams/permissions.ts";

const base = () => inject("workerUrl");
const url = (path: string) => `${base()}${path}`;

async function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url(path), {
    method: "POST",
    headers: { "content-type": "application/json", origin: base(), "cf-connecting-ip": uniqueIp(), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function me(headers: Record<string, string>) {
  return fetch(url("/api/me"), { headers });
}

describe("signing up and in with email and password", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie and creates the personal billing account", async () => {
    const email = uniqueEmail();
    const response = await postJson("/api/auth/sign-up/email", { name: "Ada", email, password: "correct horse battery" });
    expect(response.status).toBe(200);
    const setCookie = response.headers.getSetCookie().find((c) => c.includes("session_token="))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const body = (await (await me({ cookie: sessionCookie(response)! })).json()) as {
      user: { email: string; emailVerified: boolean };
      personalAccountId: string;
      account: { id: string; kind: string; role: string };
    };
    expect(body.user).toMatchObject({ email, emailVerified: false });
    expect(body.account).toEqual({ id: body.personalAccountId, kind: "personal", role: "owner", permissions: [...PERMISSIONS] });
  });

  it("sends a verification email whose link verifies the address", async () => {
    const user = await signUp(base());
    await verifyEmail(base(), user);
    const body = (await (await me(user.headers)).json()) as { user: { emailVerified: boolean } };
    expect(body.user.emailVerified).toBe(true);
  });

  it("answers a wrong password and an unknown email with the same status and message", async () => {
    const user = await signUp(base());
    const wrong = await postJson("/api/auth/sign-in/email", { email: user.email, password: "not the password" });
    const unknown = await postJson("/api/auth/sign-in/email", { email: uniqueEmail("nobody"), password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(wrong.status);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it("refuses malformed JSON, short passwords and over-long fields with a clear 400", async () => {
    const malformed = await postJson("/api/auth/sign-up/email", "{");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(/JSON/);
    const short = await postJson("/api/auth/sign-up/email", { name: "A", email: uniqueEmail(), password: "short" });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { message: string }).message).toMatch(/^password: .*8/);
    const longName = await postJson("/api/auth/sign-up/email", { name: "x".repeat(101), email: uniqueEmail(), password: "long enough" });
    expect(longName.status).toBe(400);
    expect(((await longName.json()) as { message: string }).message).toMatch(/^name: /);
    const longEmail = await postJson("/api/auth/sign-up/email", {
      name: "A",
      email: `${"x".repeat(250)}@example.com`,
      password: "long enough",
    });
    expect(longEmail.status).toBe(400);
    const longPassword = await postJson("/api/auth/sign-in/email", { email: uniqueEmail(), password: "x".repeat(500) });
    expect(longPassword.status).toBe(400);
  });

  it("refuses an over-long or empty name when the profile is updated, and saves a valid one", async () => {
    const user = await signUp(base());
    const update = (body: unknown) =>
      fetch(url("/api/auth/update-user"), {
        method: "POST",
        headers: { ...user.headers, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await update({ name: "y".repeat(101) })).status).toBe(400);
    expect((await update({ name: "   " })).status).toBe(400);
    expect((await update({ image: "x".repeat(5000) })).status).toBe(400);
    expect((await update({ name: "  New Name  " })).status).toBe(200);
    expect(((await (await me(user.headers)).json()) as { user: { name: string } }).user.name).toBe("New Name");
  });

  it("stores SQL and HTML in a name as plain text and renders it escaped", async () => {
    const name = `Robert'); DROP TABLE user;-- <script>alert(1)</script>`;
    const user = await signUp(base(), { name });
    const body = (await (await me(user.headers)).json()) as { user: { name: string } };
    expect(body.user.name).toBe(name);
    const page = await (await fetch(url("/settings"), { headers: user.headers })).text();
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // The user table is still there: signing in again works.
    await signIn(base(), user.email, user.password);
  });

  it("signs out: the cookie stops working", async () => {
    const user = await signUp(base());
    const out = await fetch(url("/api/auth/sign-out"), {
      method: "POST",
      headers: { ...user.headers, "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(200);
    expect((await me(user.headers)).status).toBe(401);
  });
});

describe("requests without a session", () => {
  it("redirect app pages to /sign-in, remembering where they were going", async () => {
    for (const path of ["/agents", "/settings", "/settings/sessions", "/billing"]) {
      const response = await fetch(url(path), { redirect: "manual" });
      expect(response.status, path).toBe(303);
      const location = new URL(response.headers.get("location")!);
      expect(location.pathname).toBe("/sign-in");
      expect(location.searchParams.get("next")).toBe(path);
    }
  });

  it("answer /api/* with a 401 JSON error, unknown routes included", async () => {
    for (const [method, path] of [
      ["GET", "/api/me"],
      ["GET", "/api/keys"],
      ["POST", "/api/keys"],
      ["GET", "/api/sessions"],
      ["DELETE", "/api/sessions/abc"],
      ["GET", "/api/not-a-route-yet"],
    ]) {
      const response = await fetch(url(path!), { method });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(await response.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
  });

  it("leave the public routes open", async () => {
    expect((await fetch(url("/api/health/live"))).status).toBe(200);
    expect((await fetch(url("/api/auth/get-session"))).status).toBe(200);
    expect((await fetch(url("/sign-in"))).status).toBe(200);
  });

  it("refuse a bad or forged session cookie", async () => {
    const user = await signUp(base());
    const [name, value] = user.cookie.split("=") as [string, string];
    const token = decodeURIComponent(value).split(".")[0];
    expect((await me({ cookie: `${name}=${encodeURIComponent(`${token}.${"A".repeat(43)}=`)}` })).status).toBe(401);
    expect((await me({ cookie: `${name}=garbage` })).status).toBe(401);
  });
});

describe("cross-site request protection", () => {
  it("refuses a cookie-authenticated write without a matching Origin", async () => {
    const user = await signUp(base());
    const create = (headers: Record<string, string>) =>
      fetch(url("/api/keys"), {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ name: "k" }),
      });
    const evil = await create({ cookie: user.cookie, origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    const missing = await create({ cookie: user.cookie });
    expect(missing.status).toBe(403);
    const same = await create(user.headers);
    expect(same.status).toBe(201);
    const keys = (await (await fetch(url("/api/keys"), { headers: user.headers })).json()) as { keys: unknown[] };
    expect(keys.keys).toHaveLength(1);
  });

  it("refuses a cross-site sign-out", async () => {
    const user = await signUp(base());
    const out = await fetch(url("/api/auth/sign-out"), {
      method: "POST",
      headers: { ...user.headers, origin: "https://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(403);
    expect((await me(user.headers)).status).toBe(200);
  });
});

describe("API keys", () => {
  it("shows the secret once, stores only a prefix, authenticates with Bearer and stops at once when revoked", async () => {
    const user = await signUp(base());
    const created = await fetch(url("/api/keys"), {
      method: "POST",
      headers: { ...user.headers, "content-type": "application/json" },
      body: JSON.stringify({ name: "<b>ci</b>" }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: { id: string; secret: string; prefix: string; name: string } };
    expect(key.secret).toMatch(/^nm8_/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(key.name).toBe("<b>ci</b>");

    const listed = (await (await fetch(url("/api/keys"), { headers: user.headers })).json()) as { keys: Record<string, unknown>[] };
    expect(JSON.stringify(listed)).not.toContain(key.secret);
    expect(listed.keys[0]).toMatchObject({ id: key.id, prefix: key.prefix });

    const bearer = { authorization: `Bearer ${key.secret}` };
    const viaKey = await me(bearer);
    expect(viaKey.status).toBe(200);
    expect((await viaKey.json()) as { user: { email: string }; via: string }).toMatchObject({
      user: { email: user.email },
      via: "api_key",
    });
    // A key cannot manage keys or sessions, nor (through Better Auth, which takes no key) password, email or account.
    const keyAttempts = [
      fetch(url("/api/keys"), { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: '{"name":"two"}' }),
      fetch(url("/api/keys"), { headers: bearer }),
      fetch(url(`/api/keys/${key.id}`), { method: "DELETE", headers: bearer }),
      fetch(url("/api/sessions"), { headers: bearer }),
      fetch(url("/api/sessions"), { method: "DELETE", headers: bearer }),
    ];
    const statuses = await Promise.all(keyAttempts.map(async (attempt) => (await attempt).status));
    expect(statuses).toEqual([403, 403, 403, 403, 403]);
    for (const path of ["/api/auth/change-password", "/api/auth/change-email", "/api/auth/delete-user"]) {
      const answer = await fetch(url(path), {
        method: "POST",
        headers: { ...bearer, "content-type": "application/json" },
        body: JSON.stringify({
          currentPassword: user.password,
          newPassword: "another long password",
          newEmail: uniqueEmail(),
          password: user.password,
        }),
      });
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
    }
    expect((await me(bearer)).status).toBe(200);
    expect(((await (await fetch(url("/api/keys"), { headers: user.headers })).json()) as { keys: unknown[] }).keys).toHaveLength(1);

    const revoked = await fetch(url(`/api/keys/${key.id}`), { method: "DELETE", headers: user.headers });
    expect(revoked.status).toBe(204);
    expect((await me(bearer)).status).toBe(401);
    expect((await fetch(url("/api/sessions"), { headers: bearer })).status).toBe(401);
  });

  it("cannot revoke another user's key, and refuses made-up keys", async () => {
    const owner = await signUp(base());
    const other = await signUp(base());
    const { key } = (await (
      await fetch(url("/api/keys"), {
        method: "POST",
        headers: { ...owner.headers, "content-type": "application/json" },
        body: '{"name":"mine"}',
      })
    ).json()) as { key: { id: string; secret: string } };
    const attempt = await fetch(url(`/api/keys/${key.id}`), { method: "DELETE", headers: other.headers });
    expect(attempt.status).toBe(404);
    expect((await me({ authorization: `Bearer ${key.secret}` })).status).toBe(200);
    expect((await me({ authorization: "Bearer nm8_madeup" })).status).toBe(401);
    expect((await me({ authorization: "Bearer something-else" })).status).toBe(401);
  });

  it("refuses an empty or over-long key name", async () => {
    const user = await signUp(base());
    for (const name of ["", "   ", "x".repeat(101)]) {
      const response = await fetch(url("/api/keys"), {
        method: "POST",
        headers: { ...user.headers, "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      expect(response.status, JSON.stringify(name)).toBe(400);
    }
  });
});

describe("sessions", () => {
  it("lists sessions with device and IP, and a revoked session stops working on the next request", async () => {
    const first = await signUp(base());
    const second = await signIn(base(), first.email, first.password);
    const list = (await (
      await fetch(url("/api/sessions"), { headers: { ...first.headers, "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0" } })
    ).json()) as {
      sessions: { id: string; current: boolean; ipAddress: string; device: string; createdAt: string; lastSeenAt: string }[];
    };
    expect(list.sessions).toHaveLength(2);
    const current = list.sessions.find((s) => s.current)!;
    const other = list.sessions.find((s) => !s.current)!;
    expect(current.ipAddress).toBe(first.ip);
    expect(other.ipAddress).toBe(second.ip);
    expect(Date.parse(other.lastSeenAt)).toBeGreaterThan(0);

    expect((await me(second.headers)).status).toBe(200);
    const revoke = await fetch(url(`/api/sessions/${other.id}`), { method: "DELETE", headers: first.headers });
    expect(revoke.status).toBe(204);
    expect((await me(second.headers)).status).toBe(401);
    expect((await fetch(url("/settings"), { headers: second.headers, redirect: "manual" })).status).toBe(303);
    expect((await me(first.headers)).status).toBe(200);
  });

  it("signs out every other session at once", async () => {
    const first = await signUp(base());
    const others = [await signIn(base(), first.email, first.password), await signIn(base(), first.email, first.password)];
    const response = await fetch(url("/api/sessions"), { method: "DELETE", headers: first.headers });
    expect(await response.json()).toEqual({ revoked: 2 });
    for (const other of others) expect((await me(other.headers)).status).toBe(401);
    expect((await me(first.headers)).status).toBe(200);
  });

  it("cannot revoke another user's session", async () => {
    const a = await signUp(base());
    const b = await signUp(base());
    const bSessions = (await (await fetch(url("/api/sessions"), { headers: b.headers })).json()) as { sessions: { id: string }[] };
    const response = await fetch(url(`/api/sessions/${bSessions.sessions[0]!.id}`), { method: "DELETE", headers: a.headers });
    expect(response.status).toBe(404);
    expect((await me(b.headers)).status).toBe(200);
  });
});

describe("passwords", () => {
  it("resets a forgotten password by a single-use email link, signs out every session, revokes API keys and says so", async () => {
    const user = await signUp(base());
    const created = await fetch(url("/api/keys"), {
      method: "POST",
      headers: { ...user.headers, "content-type": "application/json" },
      body: '{"name":"ci"}',
    });
    const { key } = (await created.json()) as { key: { secret: string } };
    expect((await me({ authorization: `Bearer ${key.secret}` })).status).toBe(200);
    const request = await postJson("/api/auth/request-password-reset", { email: user.email, redirectTo: "/reset-password" });
    expect(request.status).toBe(200);
    const link = rebase(await mailLink(base(), user.email, /reset/i, /reset-password/), base());
    const redirect = await fetch(link, { redirect: "manual" });
    const location = new URL(redirect.headers.get("location")!, base());
    expect(location.pathname).toBe("/reset-password");
    const token = location.searchParams.get("token")!;
    expect(token).toBeTruthy();

    const reset = await postJson("/api/auth/reset-password", { token, newPassword: "a brand new secret" });
    expect(reset.status).toBe(200);
    expect((await me(user.headers)).status).toBe(401);
    expect((await me({ authorization: `Bearer ${key.secret}` })).status).toBe(401);
    expect(await mailLink(base(), user.email, /password was reset/i, /settings\/api-keys/)).toBeTruthy();
    const again = await postJson("/api/auth/reset-password", { token, newPassword: "another new secret" });
    expect(again.status).toBe(400);
    const old = await postJson("/api/auth/sign-in/email", { email: user.email, password: user.password });
    expect(old.status).toBe(401);
    await signIn(base(), user.email, "a brand new secret");
  });

  it("answers a reset request for an unknown email exactly like a known one", async () => {
    const user = await signUp(base());
    const known = await postJson("/api/auth/request-password-reset", { email: user.email, redirectTo: "/reset-password" });
    const unknown = await postJson("/api/auth/request-password-reset", { email: uniqueEmail("ghost"), redirectTo: "/reset-password" });
    expect(unknown.status).toBe(known.status);
    expect(await unknown.json()).toEqual(await known.json());
  });

  it("changes the password only with the current one, and signs out the other sessions", async () => {
    const user = await signUp(base());
    const other = await signIn(base(), user.email, user.password);
    const change = (currentPassword: string) =>
      fetch(url("/api/auth/change-password"), {
        method: "POST",
        headers: { ...user.headers, "content-type": "application/json" },
        body: JSON.stringify({ currentPassword, newPassword: "changed password 1", revokeOtherSessions: false }),
      });
    expect((await change("wrong password")).status).toBe(400);
    expect((await me(other.headers)).status).toBe(200);
    const ok = await change(user.password);
    expect(ok.status).toBe(200);
    expect((await me(other.headers)).status).toBe(401);
    const newCookie = sessionCookie(ok);
    expect((await me({ ...user.headers, ...(newCookie ? { cookie: newCookie } : {}) })).status).toBe(200);
    await signIn(base(), user.email, "changed password 1");
  });
});

describe("billing account selection", () => {
  it("acts on the personal account by default and answers 404 for an account the caller does not belong to", async () => {
    const a = await signUp(base());
    const b = await signUp(base());
    const bAccount = ((await (await me(b.headers)).json()) as { personalAccountId: string }).personalAccountId;
    const own = (await (await me(a.headers)).json()) as { personalAccountId: string; account: { id: string } };
    expect(own.account.id).toBe(own.personalAccountId);
    expect((await me({ ...a.headers, "x-account": own.personalAccountId })).status).toBe(200);
    const foreign = await me({ ...a.headers, "x-account": bAccount });
    expect(foreign.status).toBe(404);
    expect((await me({ ...a.headers, "x-account": "no-such-account" })).status).toBe(404);
  });
});

describe("the agent routes' auth hook", () => {
  it("answers 401 without a session, 403 before verification, and 404 for an agent that is not the caller's", async () => {
    expect((await fetch(url("/ws/agent/someone"))).status).toBe(401);
    const user = await signUp(base());
    const unverified = await fetch(url("/ws/agent/someone"), { headers: user.headers });
    expect(unverified.status).toBe(403);
    await verifyEmail(base(), user);
    const verified = await fetch(url("/ws/agent/someone/sub/thread/t1"), { headers: user.headers });
    expect(verified.status).toBe(404);
  });

  it("refuses a cookie-authenticated WebSocket from another origin", async () => {
    const user = await signUp(base());
    await verifyEmail(base(), user);
    const crossSite = await rawRequest(url("/ws/agent/someone"), {
      headers: { ...WEBSOCKET_UPGRADE_HEADERS, cookie: user.cookie, origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
  });
});

describe("the page to return to after sign-in", () => {
  it("is only ever a path of this site: a TAB, a newline, a backslash or another origin falls back to /agents, never a 500", async () => {
    const signedIn = await signUp(base());
    const target = async (next: string) => {
      const response = await fetch(url(`/sign-in?next=${encodeURIComponent(next)}`), { headers: signedIn.headers, redirect: "manual" });
      expect(response.status, next).toBeGreaterThanOrEqual(300);
      expect(response.status, next).toBeLessThan(400);
      return new URL(response.headers.get("location")!, base()).href.replace(base(), "");
    };
    for (const next of ["/\t/evil.test", "/\n/evil.test", "//evil.test", "/\\evil.test", "https://evil.test/", "/%0A/x\n"]) {
      expect(await target(next), JSON.stringify(next)).toBe("/agents");
    }
    expect(await target("/settings?tab=keys#top")).toBe("/settings?tab=keys#top");
  });
});
