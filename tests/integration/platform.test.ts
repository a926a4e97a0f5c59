import { describe, expect, inject, it } from "vitest";
import { rawRequest, WEBSOCKET_UPGRADE_HEADERS } from "../support/http.ts";

const url = (path: string) => `${inject("workerUrl")}${path}`;

describe("the Worker under workerd", () => {
  it("reports D1, KV and the agent namespace healthy, with the version", async () => {
    const response = await fetch(url("/api/health"));
    expect(response.status).toBe(200);
    const health = (await response.json()) as { status: string; version: string; checks: Record<string, { ok: boolean }> };
    expect(health.status).toBe("ok");
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.fromEntries(Object.entries(health.checks).map(([k, v]) => [k, v.ok]))).toEqual({ d1: true, kv: true, agent: true });
  });

  it("answers the liveness probe without touching storage", async () => {
    const response = await fetch(url("/api/health/live"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("writes a value to D1, KV and a Durable Object and reads each back", async () => {
    const value = `v-${crypto.randomUUID()}`;
    const written = await fetch(url("/api/dev/probe"), { method: "POST", body: JSON.stringify({ key: "roundtrip", value }) });
    expect(written.status).toBe(200);
    const read = await fetch(url("/api/dev/probe?key=roundtrip"));
    expect(await read.json()).toEqual({ d1: value, kv: value, agent: value });
  });

  it("refuses bad probe input with a clear 400 and changes nothing", async () => {
    const bad = await fetch(url("/api/dev/probe"), { method: "POST", body: JSON.stringify({ key: "../etc", value: "x" }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^key: /);
    const malformed = await fetch(url("/api/dev/probe"), { method: "POST", body: "{" });
    expect(malformed.status).toBe(400);
    const read = await fetch(url("/api/dev/probe?key=etc"));
    expect(await read.json()).toEqual({ d1: null, kv: null, agent: null });
  });

  it("delivers email to the local mailbox, with its links, filtered by recipient", async () => {
    const to = `mail-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const sent = await fetch(url("/api/dev/mailbox"), {
      method: "POST",
      body: JSON.stringify({ to, subject: "Welcome", text: "Open http://localhost:8787/agents to start." }),
    });
    expect(sent.status).toBe(201);
    const response = await fetch(url(`/api/dev/mailbox?to=${encodeURIComponent(to)}`));
    const { messages } = (await response.json()) as { messages: { to: string; subject: string; links: string[] }[] };
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to, subject: "Welcome", links: ["http://localhost:8787/agents"] });
    const page = await (await fetch(url(`/dev/mailbox?to=${encodeURIComponent(to)}`))).text();
    expect(page).toContain("Welcome");
  });

  it("sends every /ws/ request, HTTP or WebSocket, through the auth hook", async () => {
    const http = await fetch(url("/ws/agent/someone"));
    expect(http.status).toBe(401);
    expect(((await http.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const sub = await fetch(url("/ws/agent/someone/sub/thread/t1"));
    expect(sub.status).toBe(401);
    const upgrade = await rawRequest(url("/ws/agent/someone"), { headers: WEBSOCKET_UPGRADE_HEADERS });
    expect(upgrade.status).toBe(401);
  });

  it("answers /ws/ paths that name no agent class with a JSON 404", async () => {
    const response = await fetch(url("/ws/"));
    expect(response.status).toBe(404);
  });

  it("routes preview hosts away from the app, even when no sandbox can answer them", async () => {
    const response = await rawRequest(url("/"), { headers: { host: "3000-abc123-tok3n0123.localhost" } });
    expect([404, 502]).toContain(response.status);
    expect(response.body).not.toContain("Persistent AI agents");
    const appHost = await rawRequest(url("/"), { headers: { host: "localhost" } });
    expect(appHost.status).toBe(200);
  });

  it("serves the landing page, the app pages and a 404 page from Next.js", async () => {
    const landing = await fetch(url("/"));
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain("Persistent AI agents");
    for (const path of ["/agents", "/agents/abc", "/usage", "/billing", "/team", "/settings"]) {
      expect((await fetch(url(path))).status, path).toBe(200);
    }
    const missing = await fetch(url("/no-such-page"));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("Page not found");
  });

  it("hides the admin area from everyone who is not an admin", async () => {
    expect((await fetch(url("/admin"))).status).toBe(404);
  });
});
