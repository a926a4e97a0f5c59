// Load benchmark against `npm start` (its real sandboxd and wrangler dev): users, each signed up from its own client
// IP, chat at once with their default agent over WebSocket, 3 turns each, every turn a tool call that runs
// `echo <unique token>` in the sandbox. Every turn's text and tool output and every stored history are checked.
// Two rounds on the same platform: 20 users at once (below saturation: what one turn costs) and then 200 users at
// once (saturation: how many turns per second the platform sustains).
// Per-turn overhead = client turn time (message sent → end of the response on the WebSocket) minus the fake model
// server's own time for the turn's two requests (arrival → end of its response) minus sandboxd's own duration of the
// command (from the tool result): what the Worker, Durable Objects, D1 ledger and sandbox setup add.
import { pathToFileURL } from "node:url";
import { startModelServer } from "../fakes/model-server.ts";
import { runChatLoad, type ChatLoadReport } from "../scripts/lib/harness/load.ts";
import { startPlatform } from "../scripts/lib/harness/platform.ts";
import { formatMeasures, round, summarize, type Measure } from "./lib/stats.ts";

export interface LoadBenchOptions {
  users?: number;
  /** Users at once in the round below saturation. */
  fewUsers?: number;
  turns?: number;
}

function turnsPerSecond(report: ChatLoadReport): number {
  return round(report.okTurns / (report.chatWallMs / 1000));
}

function exactness(report: ChatLoadReport): string {
  const expected = report.users * report.turnsPerUser;
  return `${report.okTurns}/${expected} turns exact, ${report.exactHistories}/${report.users} histories exact, ${report.failures.length} problems${report.failures[0] ? ` (first: ${report.failures[0]})` : ""}`;
}

export async function benchLoad(options: LoadBenchOptions = {}): Promise<Measure[]> {
  const users = options.users ?? 200;
  const fewUsers = options.fewUsers ?? 20;
  const turns = options.turns ?? 3;
  const model = await startModelServer();
  const platform = await startPlatform({ env: { LLM_BASE_URL: model.url } });
  let stopped = false;
  try {
    const log = (line: string) => console.log(line);
    const few = await runChatLoad({ baseUrl: platform.url, model, users: fewUsers, turnsPerUser: turns, log });
    const report = await runChatLoad({ baseUrl: platform.url, model, users, turnsPerUser: turns, log });
    const overhead = summarize(report.turns.map((t) => t.overheadMs));
    const client = summarize(report.turns.map((t) => t.clientMs));
    const modelOwn = summarize(report.turns.map((t) => t.modelMs));
    const sandbox = summarize(report.turns.map((t) => t.sandboxMs));
    const fewOverhead = summarize(few.turns.map((t) => t.overheadMs));
    const fewClient = summarize(few.turns.map((t) => t.clientMs));
    const fewModel = summarize(few.turns.map((t) => t.modelMs));
    const fewSandbox = summarize(few.turns.map((t) => t.sandboxMs));
    const expected = users * turns;
    const lost = expected - report.okTurns;
    for (const failure of [...few.failures, ...report.failures].slice(0, 20)) console.log(`load: ${failure}`);
    const stopStarted = performance.now();
    const left = await platform.stop();
    stopped = true;
    const stopNote = `npm start stopped in ${round((performance.now() - stopStarted) / 1000)} s leaving ${left.leftoverGroups} process groups and ${left.leftoverMounts} mounts`;
    const allExact =
      report.failures.length === 0 && report.exactHistories === users && few.failures.length === 0 && few.exactHistories === fewUsers;
    return [
      {
        name: `load: ${users} users × ${turns} tool-call turns at once, turns lost, duplicated or failed`,
        unit: "count",
        median: lost + (fewUsers * turns - few.okTurns),
        target: "0, and every stored history exact",
        met: allExact,
        note: `${exactness(report)}; ${fewUsers} users first: ${exactness(few)}; sign-up of ${users} users (8 at a time) ${round(report.signUpMs / 1000)} s; chat phase wall time ${round(report.chatWallMs / 1000)} s; ${stopNote}`,
      },
      {
        name: `load: tool-call turns per second at saturation (${users} users × ${turns} turns at once)`,
        unit: "turns/s",
        median: turnsPerSecond(report),
        target: ">= 35 turns/s",
        met: turnsPerSecond(report) >= 35,
        reference: { name: `${fewUsers} users × ${turns} turns at once, turns/s`, median: turnsPerSecond(few) },
        note: `every Durable Object of wrangler dev shares one workerd thread locally; ${report.okTurns} exact turns in ${round(report.chatWallMs / 1000)} s`,
      },
      {
        name: `load: platform overhead per tool-call turn below saturation (${fewUsers} users at once)`,
        unit: "ms",
        ...fewOverhead,
        target: "median <= 100 ms",
        met: fewOverhead.median <= 100,
        reference: { name: "model server's own time per turn (2 requests)", median: fewModel.median },
        note: `client turn time median ${fewClient.median} ms, p95 ${fewClient.p95} ms; sandbox exec median ${fewSandbox.median} ms, p95 ${fewSandbox.p95} ms`,
      },
      {
        name: `load: per-turn platform overhead (client turn time − model server time − sandbox exec time), ${users} concurrent users`,
        unit: "ms",
        ...overhead,
        reference: { name: "model server's own time per turn (2 requests)", median: modelOwn.median },
        note: `client turn time median ${client.median} ms, p95 ${client.p95} ms; model server p95 ${modelOwn.p95} ms; sandbox exec median ${sandbox.median} ms, p95 ${sandbox.p95} ms`,
      },
    ];
  } finally {
    if (!stopped) await platform.stop();
    await model.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const measures = await benchLoad({
    users: Number(process.env.USERS ?? 200),
    fewUsers: Number(process.env.FEW_USERS ?? 20),
    turns: Number(process.env.TURNS ?? 3),
  });
  console.log(formatMeasures(measures));
  for (const m of measures) if (m.note) console.log(`- ${m.name}: ${m.note}`);
}
