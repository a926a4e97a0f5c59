import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

// A CPU profile of the Worker under `wrangler dev`, taken through its DevTools inspector (the V8 sampling profiler
// inside workerd), summarised as the functions that took the most time, self and inclusive.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Milliseconds of samples in the profile, idle included. */
  totalMs: number;
  idleMs: number;
  /** Functions by self time and by inclusive time, milliseconds, largest first. */
  self: { name: string; ms: number }[];
  inclusive: { name: string; ms: number }[];
}

type Call = (method: string, params?: object) => Promise<Record<string, unknown>>;

async function connect(inspectorPort: number): Promise<{ call: Call; close(): void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  if (!targets[0]) throw new Error("the Worker's inspector lists no target");
  // wrangler's inspector proxy accepts only local origins.
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { origin: "http://localhost" } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("could not connect to the Worker's inspector")), { once: true });
  });
  let nextId = 0;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown>; error?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? { error: message.error });
    if (message.id !== undefined) pending.delete(message.id);
  });
  const call: Call = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { call, close: () => ws.close() };
}

function frameName(node: ProfileNode): string {
  const file = node.callFrame.url.split("/").pop() || "native";
  return `${node.callFrame.functionName || "(anonymous)"} (${file}:${node.callFrame.lineNumber + 1})`;
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const node = nodes.get(id)!;
    if (node.callFrame.functionName === "(idle)") idleUs += us;
    self.set(frameName(node), (self.get(frameName(node)) ?? 0) + us);
    const counted = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(nodes.get(at)!);
      if (counted.has(name)) continue;
      counted.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const skip = /^\((root|idle|program|anonymous)\) \(native/;
  const ranked = (map: Map<string, number>) =>
    [...map]
      .filter(([name]) => !skip.test(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10 }));
  return { totalMs: Math.round(totalUs / 1000), idleMs: Math.round(idleUs / 1000), self: ranked(self), inclusive: ranked(inclusive) };
}

/** Runs `work` while the Worker's sampling profiler records, and returns the summary. */
/** Runs `work` while the Worker's sampling profiler records; writes the raw profile to `saveTo` (open it in Chrome
 * DevTools' Performance panel) and returns the summary. */
export async function profileWorker(inspectorPort: number, work: () => Promise<void>, saveTo: string, top = 15): Promise<ProfileSummary> {
  const inspector = await connect(inspectorPort);
  try {
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: 200 });
    await inspector.call("Profiler.start");
    await work();
    const { profile } = (await inspector.call("Profiler.stop")) as { profile?: CpuProfile };
    if (!profile) throw new Error("the inspector returned no profile");
    mkdirSync(dirname(saveTo), { recursive: true });
    writeFileSync(saveTo, JSON.stringify(profile));
    return summarizeProfile(profile, top);
  } finally {
    inspector.close();
  }
}
