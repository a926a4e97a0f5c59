import { describe, expect, it } from "vitest";
import { changedPolicy, decisionFor, ToolPolicySchema } from "../../src/lib/agents/tool-policy.ts";
import { AllowlistBody, isServerAllowed, normalizeServerUrl } from "../../src/lib/mcp/allowlist.ts";
import { addConnectorBody } from "../../src/lib/mcp/connectors.ts";
import { connectorOfTool, connectorToolName } from "../../src/lib/mcp/tool-names.ts";

describe("connector tool names", () => {
  it("names a tool <connector>__<tool>, with characters a function name cannot hold replaced and at most 64 long", () => {
    expect(connectorToolName("github", "create_issue")).toBe("github__create_issue");
    expect(connectorToolName("docs", "search.pages/v2")).toBe("docs__search_pages_v2");
    expect(connectorToolName("x", "t".repeat(100))).toHaveLength(64);
    expect(connectorOfTool("github__create_issue")).toBe("github");
    expect(connectorOfTool("exec")).toBeNull();
  });
});

describe("the team's MCP allow-list", () => {
  it("allows a listed URL and the paths under it, nothing else; a personal account has no list", () => {
    const list = [normalizeServerUrl("https://mcp.example.com/"), normalizeServerUrl("https://tools.example.org/mcp")];
    expect(isServerAllowed(list, "https://mcp.example.com/mcp")).toBe(true);
    expect(isServerAllowed(list, "https://tools.example.org/mcp?x=1")).toBe(true);
    expect(isServerAllowed(list, "https://tools.example.org/mcp-evil")).toBe(false);
    expect(isServerAllowed(list, "https://mcp.example.com.evil.test/mcp")).toBe(false);
    expect(isServerAllowed(list, "http://mcp.example.com/mcp")).toBe(false);
    expect(isServerAllowed([], "https://mcp.example.com/mcp")).toBe(false);
    expect(isServerAllowed(null, "https://anything.test/mcp")).toBe(true);
  });
});

describe("approval policy for connector tools", () => {
  it("accepts <connector>__<tool> names beside the built-in tools and refuses anything else", () => {
    expect(ToolPolicySchema.safeParse({ fake__echo: "ask", exec: "block" }).success).toBe(true);
    expect(ToolPolicySchema.safeParse({ fake_echo: "ask" }).success).toBe(false);
    expect(ToolPolicySchema.safeParse({ Fake__echo: "ask" }).success).toBe(false);
    expect(ToolPolicySchema.safeParse({ fake__echo: "maybe" }).success).toBe(false);
  });

  it("applies the team floor to connector tools: the stricter decision wins and nobody sets a tool below it", () => {
    expect(decisionFor({ fake__echo: "allow" }, { fake__echo: "ask" }, "fake__echo")).toBe("ask");
    expect(decisionFor({}, {}, "fake__echo")).toBe("allow");
    expect(() => changedPolicy({}, { fake__echo: "allow" }, { fake__echo: "block" })).toThrow(/fake__echo \(at least block\)/);
  });
});

describe("connector and allow-list input", () => {
  it("refuses what is not an http(s) URL with a clear message instead of failing", () => {
    expect(AllowlistBody.safeParse({ servers: ["not a url"] }).success).toBe(false);
    expect(AllowlistBody.safeParse({ servers: ["ftp://x.test"] }).success).toBe(false);
    expect(AllowlistBody.parse({ servers: ["https://x.test/mcp/"] })).toEqual({ servers: ["https://x.test/mcp"] });
    const body = addConnectorBody({ ENVIRONMENT: "production" });
    expect(body.safeParse({ name: "x", url: "not a url", auth: "none" }).success).toBe(false);
    expect(body.safeParse({ name: "x", url: "http://x.test/mcp", auth: "none" }).success).toBe(false);
    expect(body.safeParse({ name: "x", url: "https://u:p@x.test/mcp", auth: "none" }).success).toBe(false);
    expect(body.safeParse({ name: "x", url: "https://x.test/mcp", auth: "none", token: "t" }).success).toBe(false);
    expect(body.safeParse({ name: "x", url: "https://x.test/mcp", auth: "header", token: "t" }).success).toBe(true);
  });
});
