import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModelServer, type FakeModelServer } from "../../fakes/model-server.ts";
import { runChatLoad } from "../../scripts/lib/harness/load.ts";
import { startPlatform, type RunningPlatform } from "../../scripts/lib/harness/platform.ts";

const USERS = 20;
const TURNS = 2;

// The short form of `npm run bench -- load` (200 users × 3 turns), against npm start with its real sandboxd.
describe("npm start under load", () => {
  let model: FakeModelServer;
  let platform: RunningPlatform | undefined;

  // npm start may have to build first, which takes minutes on a busy machine.
  beforeAll(async () => {
    model = await startModelServer();
    platform = await startPlatform({ env: { LLM_BASE_URL: model.url } });
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    await model?.close();
  }, 60_000);

  it(`serves ${USERS} users chatting at once with tool calls, losing, duplicating or failing no turn, and stops cleanly`, {
    timeout: 240_000,
  }, async () => {
    const report = await runChatLoad({ baseUrl: platform!.url, model, users: USERS, turnsPerUser: TURNS, turnTimeoutMs: 90_000 });
    expect(report.failures).toEqual([]);
    expect(report.okTurns).toBe(USERS * TURNS);
    expect(report.exactHistories).toBe(USERS);
    // Each turn is two model requests (the exec call, then the answer to its result), no retries, nothing else.
    expect(model.requests.length).toBe(USERS * TURNS * 2);
    expect(model.requests.every((r) => r.status === 200)).toBe(true);

    // Stopping npm start after the load leaves no process group and no sandbox mount behind.
    const left = await platform!.stop();
    platform = undefined;
    expect(left).toEqual({ leftoverGroups: 0, leftoverMounts: 0 });
  });
});
