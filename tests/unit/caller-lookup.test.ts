import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import { type Caller, findCaller, handCaller, withoutHandedCaller } from "../../src/lib/auth/caller.ts";

/** A D1 stand-in that knows no API key and counts the statements it is asked to prepare. */
function countingD1() {
  const counted = { statements: 0 };
  const statement = {
    bind: () => statement,
    all: async () => ({ results: [], success: true, meta: {} }),
    raw: async () => [],
    first: async () => null,
    run: async () => ({ results: [], success: true, meta: {} }),
  };
  const prepare = () => {
    counted.statements++;
    return statement;
  };
  const d1 = { prepare, batch: async () => [] } as unknown as D1Database;
  return { env: { DB: d1, ENVIRONMENT: "test" } as unknown as Env, counted };
}

const keyRequest = (key: string, headers: Record<string, string> = {}) =>
  new Request("http://app.test/api/agent", { headers: { authorization: `Bearer ${key}`, ...headers } });

const someone: Caller = {
  user: { id: "u1", email: "ünïcode@example.com", name: "Zoë 🙂", image: null, role: "user", emailVerified: true },
  personalAccountId: "a1",
  via: "api_key",
  apiKeyId: "k1",
};

describe("the caller of a request", () => {
  it("is read from D1 once: the route handler gets the caller the gate looked up", async () => {
    const { env, counted } = countingD1();
    expect(await findCaller(keyRequest("nm8_unknown"), env)).toBeNull();
    expect(counted.statements).toBe(1);
    expect(await findCaller(handCaller(keyRequest("nm8_unknown"), someone), env)).toEqual(someone);
    expect(counted.statements).toBe(1);
  });

  it("can never be claimed by a client: the Worker entry drops a caller header the request came with", async () => {
    const { env, counted } = countingD1();
    const forged = keyRequest("nm8_unknown", { "x-netm8-caller": encodeURIComponent(JSON.stringify(someone)) });
    expect(await findCaller(withoutHandedCaller(forged), env)).toBeNull();
    expect(counted.statements).toBe(1);
  });
});
