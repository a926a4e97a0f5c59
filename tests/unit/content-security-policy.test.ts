import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import { appContentSecurityPolicy } from "../../src/worker/security-headers.ts";

const env = { ENVIRONMENT: "development", APP_URL: "http://localhost:8787" } as Env;
const from = (host: string) => new Request(`http://${host}/api/health/live`, { headers: { host } });

describe("the app's Content-Security-Policy", () => {
  it("names the request's own host for sockets and previews, whichever host asked before", () => {
    for (let round = 0; round < 2; round++) {
      for (const host of ["localhost:8787", "127.0.0.1:9000", "app.example.test"]) {
        const policy = appContentSecurityPolicy(from(host), env);
        expect(policy).toContain(`connect-src 'self' ws://${host}`);
        expect(policy).toContain("frame-ancestors 'none'");
      }
    }
  });

  it("follows the environment it is given: a preview domain and Turnstile change the policy", () => {
    const withPreviews = appContentSecurityPolicy(from("localhost:8787"), { ...env, PREVIEW_DOMAIN: "previews.test" });
    expect(withPreviews).toContain("frame-src http://*.previews.test");
    const withTurnstile = appContentSecurityPolicy(from("localhost:8787"), { ...env, TURNSTILE_SITE_KEY: "k", TURNSTILE_SECRET_KEY: "s" });
    expect(withTurnstile).toContain("script-src 'self' 'unsafe-inline' https://challenges.cloudflare.com");
    expect(appContentSecurityPolicy(from("localhost:8787"), env)).not.toContain("challenges.cloudflare.com");
  });

  it("stays correct past the memo's size, with many Host headers", () => {
    for (let i = 0; i < 200; i++) expect(appContentSecurityPolicy(from(`h${i}.example.test`), env)).toContain(`ws://h${i}.example.test`);
  });
});
