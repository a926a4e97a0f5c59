import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { rawRequest } from "../support/http.ts";
import { waitFor } from "../support/sandboxd.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * Production's layout: previews on a domain of their own (PREVIEW_DOMAIN), so they can never set cookies for the
 * app. The Worker builds preview URLs on it, serves previews only there, and lets the app frame only those.
 */
const PREVIEW_DOMAIN = "netm8preview.test";

let stack: AgentStack;
let user: TestUser;
let agentId: string;

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.worker.url}${path}`, { ...init, headers: user.headers({ "content-type": "application/json" }) });
const viaHost = (host: string) => rawRequest(`${stack.worker.url}/`, { headers: { host } });

beforeAll(async () => {
  stack = await startAgentStack({ vars: { PREVIEW_DOMAIN } });
  user = await signUpVerifiedUser(stack.worker.url);
  agentId = ((await (await api("/api/agent")).json()) as { agents: { id: string }[] }).agents[0]!.id;
}, 180_000);
afterAll(() => stack?.dispose());

describe("previews on PREVIEW_DOMAIN", () => {
  it("gives preview URLs on the preview domain and serves the workspace server there", async () => {
    const command = `node -e 'require("http").createServer((q, s) => s.end("on the preview domain")).listen(4200, "0.0.0.0")'`;
    expect((await api(`/api/agent/${agentId}/processes`, { method: "POST", body: JSON.stringify({ command }) })).status).toBe(201);
    const exposed = (await (await api(`/api/agent/${agentId}/ports`, { method: "POST", body: JSON.stringify({ port: 4200 }) })).json()) as {
      url: string;
    };
    const url = new URL(exposed.url);
    expect(url.origin).toMatch(new RegExp(`^http://4200-${agentId}-[a-z0-9]{24}\\.netm8preview\\.test$`));
    const listed = (await (await api(`/api/agent/${agentId}/ports`)).json()) as { ports: { port: number; url: string }[] };
    expect(listed.ports).toContainEqual(expect.objectContaining({ port: 4200, url: exposed.url }));

    const page = await waitFor(async () => {
      const answer = await viaHost(url.host);
      return answer.status === 200 ? answer : null;
    }, 20_000);
    expect(page.body).toBe("on the preview domain");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    // Only the app (APP_URL) may frame it; the preview domain is not the app.
    expect(page.headers["content-security-policy"]).toBe(`frame-ancestors ${new URL(stack.worker.url).origin}`);

    // The same label under the app's host is no preview any more, and no other host on the preview domain is the app.
    const label = url.hostname.split(".")[0]!;
    for (const host of [
      `${label}.localhost:${stack.worker.port}`,
      PREVIEW_DOMAIN,
      `www.${PREVIEW_DOMAIN}`,
      `x.${label}.${PREVIEW_DOMAIN}`,
    ]) {
      const answer = await viaHost(host);
      expect(answer.status, host).toBe(404);
      expect(answer.body, host).toContain("Preview not found");
    }
  });

  it("lets the app frame only previews on the preview domain", async () => {
    const response = await fetch(`${stack.worker.url}/`);
    const frameSrc = /frame-src ([^;]*)/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
    expect(frameSrc).toBe(`http://*.${PREVIEW_DOMAIN}`);
    await response.body?.cancel();
  });
});
