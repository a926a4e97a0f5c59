import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signUp, uniqueIp } from "../support/auth.ts";
import { rawRequest } from "../support/http.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

/*
 * A development instance is safe on a shared network: its mailbox (every user's sign-in links) is readable only when
 * npm start says it listens on loopback (DEV_MAILBOX=on), and emailed links come from APP_URL, never the Host header.
 */

describe("a development Worker's mailbox", () => {
  let off: TestWorker;
  let on: TestWorker;
  const secret = { BETTER_AUTH_SECRET: "dev-instance-test-secret-0123456789abcdef" };
  beforeAll(async () => {
    [off, on] = await Promise.all([
      startTestWorker({ vars: { ENVIRONMENT: "development", ...secret } }),
      startTestWorker({ vars: { ENVIRONMENT: "development", DEV_MAILBOX: "on", ...secret } }),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([off?.dispose(), on?.dispose()]);
  });

  it("is closed unless npm start turned it on for a loopback address, whatever the request claims", async () => {
    const claims: Record<string, string>[] = [
      {},
      { "cf-connecting-ip": "127.0.0.1" },
      { "x-forwarded-for": "127.0.0.1" },
      { host: "localhost" },
    ];
    for (const headers of claims) {
      const closed = await rawRequest(`${off.url}/api/dev/mailbox`, { headers });
      expect(closed.status, JSON.stringify(headers)).toBe(404);
    }
    expect((await rawRequest(`${off.url}/dev/mailbox`)).status).toBe(404);
    expect((await fetch(`${on.url}/api/dev/mailbox`)).status).toBe(200);
  });
});

describe("emailed links", () => {
  const base = () => inject("workerUrl");

  it("point at APP_URL even when the request names another Host", async () => {
    const user = await signUp(base());
    const email = user.email;
    const url = new URL(base());
    const asked = await rawRequest(`${base()}/api/auth/request-password-reset`, {
      method: "POST",
      headers: {
        host: `attacker.test:${url.port}`,
        "content-type": "application/json",
        origin: `http://attacker.test:${url.port}`,
        "cf-connecting-ip": uniqueIp(),
      },
      body: JSON.stringify({ email, redirectTo: "/reset-password" }),
    });
    expect(asked.status).toBe(200);
    const deadline = Date.now() + 15_000;
    let links: string[] = [];
    while (links.length === 0 && Date.now() < deadline) {
      const { messages } = (await (await fetch(`${base()}/api/dev/mailbox?to=${encodeURIComponent(email)}`)).json()) as {
        messages: { subject: string; links: string[] }[];
      };
      links = messages.filter((m) => /reset/i.test(m.subject)).flatMap((m) => m.links);
      if (links.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(new URL(link).host).toBe(url.host);
  });
});
