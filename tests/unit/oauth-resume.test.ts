import { describe, expect, it } from "vitest";
import { resumedAuthorizationQuery } from "../../src/lib/auth/oauth-clients.ts";
import { mcpOAuthAvailable, mcpResource, oauthIssuer } from "../../src/lib/auth/oauth-server.ts";

describe("resuming an MCP client's authorization after sign-in", () => {
  it("keeps the client's parameters and drops the login page's signature", () => {
    const signed = new URLSearchParams({
      response_type: "code",
      client_id: "abc",
      redirect_uri: "http://127.0.0.1:9/cb",
      code_challenge: "xyz",
      code_challenge_method: "S256",
      resource: "https://app.example/mcp",
      state: "s1",
      exp: "1",
      ba_iat: "2",
      sig: "signature",
    });
    signed.append("ba_param", "client_id");
    signed.append("ba_param", "state");
    expect(Object.fromEntries(resumedAuthorizationQuery(signed))).toEqual({
      response_type: "code",
      client_id: "abc",
      redirect_uri: "http://127.0.0.1:9/cb",
      code_challenge: "xyz",
      code_challenge_method: "S256",
      resource: "https://app.example/mcp",
      state: "s1",
    });
  });

  it("drops prompt=login, which the sign-in just satisfied and which would loop back to it, and keeps consent", () => {
    expect(resumedAuthorizationQuery(new URLSearchParams("prompt=login&client_id=a")).toString()).toBe("client_id=a");
    expect(resumedAuthorizationQuery(new URLSearchParams("prompt=login+consent")).get("prompt")).toBe("consent");
  });
});

describe("where MCP clients may sign in with OAuth", () => {
  it("binds tokens to the origin's /mcp and names Better Auth's base URL as the issuer", () => {
    expect(mcpResource("https://app.example")).toBe("https://app.example/mcp");
    expect(oauthIssuer("https://app.example")).toBe("https://app.example/api/auth");
  });

  it("offers OAuth over HTTPS and on loopback HTTP only", () => {
    expect(mcpOAuthAvailable("https://app.example")).toBe(true);
    expect(mcpOAuthAvailable("http://localhost:8787")).toBe(true);
    expect(mcpOAuthAvailable("http://127.0.0.1:8787")).toBe(true);
    expect(mcpOAuthAvailable("http://192.168.1.20:8787")).toBe(false);
  });
});
