import { describe, expect, it } from "vitest";
import { safeNext } from "../../src/components/auth/validation.ts";
import { requestOrigin } from "../../src/lib/auth/config.ts";
import { describeUserAgent } from "../../src/lib/auth/user-agent.ts";
import { effectiveRule, RATE_LIMITS } from "../../src/lib/ratelimit/limits.ts";

describe("auth rules", () => {
  it("follows only same-site paths after sign-in", () => {
    expect(safeNext("/settings/sessions")).toBe("/settings/sessions");
    expect(safeNext("https://evil.example/")).toBe("/agents");
    expect(safeNext("//evil.example/")).toBe("/agents");
    expect(safeNext("/\\evil.example")).toBe("/agents");
    expect(safeNext(undefined)).toBe("/agents");
  });

  it("takes links' origin from APP_URL in production, never from a forged Host header", () => {
    const request = new Request("https://netm8.example/api/auth/request-password-reset", { headers: { host: "evil.example" } });
    expect(requestOrigin(request, { ENVIRONMENT: "production", APP_URL: "https://netm8.example" })).toBe("https://netm8.example");
    expect(requestOrigin(new Request("http://localhost/x", { headers: { host: "localhost:4321" } }), { ENVIRONMENT: "test" })).toBe(
      "http://localhost:4321",
    );
  });

  it("describes devices in a few words", () => {
    expect(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36")).toBe("Chrome on Linux");
    expect(describeUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")).toBe("Safari on iOS");
    expect(describeUserAgent(null)).toBe("Unknown device");
  });

  it("keeps every limit in one table and lets tests shorten only the window", () => {
    expect(effectiveRule("signInByIp")).toEqual(RATE_LIMITS.signInByIp);
    expect(effectiveRule("signInByIp", "2")).toEqual({ limit: RATE_LIMITS.signInByIp.limit, windowSeconds: 2 });
    expect(effectiveRule("signInByIp", "nonsense")).toEqual(RATE_LIMITS.signInByIp);
    expect(effectiveRule("signInByIp", "signUpByIp=3, signInByIp=7")).toEqual({ limit: RATE_LIMITS.signInByIp.limit, windowSeconds: 7 });
    expect(effectiveRule("signInByEmail", "signInByIp=7")).toEqual(RATE_LIMITS.signInByEmail);
  });
});
