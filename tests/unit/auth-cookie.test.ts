import { serializeSignedCookie } from "better-call";
import { describe, expect, it } from "vitest";
import { authSecret, sessionCookieName } from "../../src/lib/auth/config.ts";
import { sessionTokenFromCookie } from "../../src/lib/auth/session.ts";
import type { Env } from "../../src/env.ts";
import { adoptLegacySessionCookie } from "../../src/worker/session-cookie-migration.ts";

// Our session lookup reads Better Auth's signed cookie itself (no Better Auth instance per request), so this pins
// the cookie format Better Auth writes: `<token>.<base64 HMAC-SHA256>`, URL-encoded, `__Host-` in production
// (it was `__Secure-` until previews could plant a cookie for the app's domain; see session-cookie-migration.ts).
describe("the session cookie", () => {
  for (const environment of ["test", "production"] as const) {
    it(`reads a token Better Auth signed, and refuses a tampered one (${environment})`, async () => {
      const env = { ENVIRONMENT: environment, BETTER_AUTH_SECRET: "unit-test-secret-unit-test-secret" } as Env;
      const token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
      const name = sessionCookieName(env);
      const serialized = await serializeSignedCookie(name, token, authSecret(env));
      const value = serialized.slice(name.length + 1).split(";")[0]!;
      expect(name).toBe(environment === "production" ? "__Host-netm8.session_token" : "netm8.session_token");
      const request = (cookie: string) => new Request("http://localhost/", { headers: { cookie } });
      expect(await sessionTokenFromCookie(request(`other=1; ${name}=${value}`), env)).toBe(token);
      const tampered = value.replace(token, token.replace("A", "B"));
      expect(await sessionTokenFromCookie(request(`${name}=${tampered}`), env)).toBeNull();
      const otherSecret = { ...env, BETTER_AUTH_SECRET: "a-different-secret-a-different-secret" } as Env;
      expect(await sessionTokenFromCookie(request(`${name}=${value}`), otherSecret)).toBeNull();
      expect(await sessionTokenFromCookie(request("netm8.session_token_x=1"), env)).toBeNull();
    });
  }

  it("signs with no public constant outside the test suite: production and development need BETTER_AUTH_SECRET", () => {
    expect(() => authSecret({ ENVIRONMENT: "production" })).toThrow(/BETTER_AUTH_SECRET/);
    expect(() => authSecret({ ENVIRONMENT: "development" })).toThrow(/BETTER_AUTH_SECRET/);
    expect(authSecret({ ENVIRONMENT: "development", BETTER_AUTH_SECRET: "made-by-npm-start" })).toBe("made-by-npm-start");
    expect(authSecret({ ENVIRONMENT: "test" })).toBeTruthy();
  });
});

describe("the old __Secure- session cookie in production", () => {
  it("is only expired, never adopted, where previews share the app's domain (no PREVIEW_DOMAIN)", async () => {
    const env = {
      ENVIRONMENT: "production",
      APP_URL: "https://app.example",
      BETTER_AUTH_SECRET: "unit-test-secret-unit-test-secret",
    } as Env;
    // A cookie a preview's JavaScript could have planted with Domain=app.example in a signed-out browser.
    const request = new Request("https://app.example/api/me", { headers: { cookie: "__Secure-netm8.session_token=planted.sig" } });
    const { request: served, setCookies } = await adoptLegacySessionCookie(request, env);
    expect(served.headers.get("cookie")).toBe("__Secure-netm8.session_token=planted.sig");
    expect(setCookies).toHaveLength(1);
    expect(setCookies[0]).toMatch(/^__Secure-netm8\.session_token=;.*Max-Age=0/);
  });
});
