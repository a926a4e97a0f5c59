import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId, waitFor } from "../../support/sandboxd.ts";

const root = process.getuid?.() === 0;

// No traffic leaves this machine: sandboxd (and so pasta) runs in a "host" namespace made here, whose only link is a
// veth to an "outside" namespace holding the stand-ins, each with its own listener.
const tag = randomBytes(3).toString("hex");
const hostNs = `sbx-egress-host-${tag}`;
const outsideNs = `sbx-egress-out-${tag}`;
const standIns = { private: "10.77.0.1", linkLocal: "169.254.77.1", public: "198.51.100.7" } as const;
type StandIn = keyof typeof standIns;

let listener: ChildProcess | undefined;
const ports = {} as Record<StandIn, number>;
const started: SandboxdProcess[] = [];

function ip(...args: string[]): void {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`ip ${args.join(" ")}: ${result.stderr}`);
}

/** Python that connects to each address and prints `<name> reached <banner>` or `<name> blocked <errno> <ms>`. */
function probe(targets: Record<string, [string, number]>): string {
  return `import socket, time
for name, (host, port) in ${JSON.stringify(targets)}.items():
    t = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=5)
        print(name, "reached", s.recv(64).decode().strip())
    except OSError as e:
        print(name, "blocked", e.__class__.__name__, int((time.monotonic() - t) * 1000))`;
}

const targets = (names: StandIn[]): Record<string, [string, number]> =>
  Object.fromEntries(names.map((name) => [name, [standIns[name], ports[name]] as [string, number]]));

function outcomes(stdout: string): Record<string, { reached: boolean; ms: number; detail: string }> {
  return Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => {
        const [name, verdict, detail = "", ms = "0"] = line.split(" ");
        return [name, { reached: verdict === "reached", detail, ms: Number(ms) }];
      }),
  );
}

beforeAll(async () => {
  if (!root) return;
  const hostLink = `sbe${tag}h`;
  const outsideLink = `sbe${tag}o`;
  ip("netns", "add", hostNs);
  ip("netns", "add", outsideNs);
  ip("link", "add", hostLink, "netns", hostNs, "type", "veth", "peer", "name", outsideLink, "netns", outsideNs);
  ip("-n", hostNs, "link", "set", "lo", "up");
  ip("-n", hostNs, "addr", "add", "203.0.113.7/24", "dev", hostLink);
  ip("-n", hostNs, "link", "set", hostLink, "up");
  ip("-n", hostNs, "route", "add", "default", "via", "203.0.113.1");
  ip("-n", outsideNs, "link", "set", "lo", "up");
  for (const cidr of ["203.0.113.1/24", `${standIns.private}/24`, `${standIns.linkLocal}/16`, `${standIns.public}/24`]) {
    ip("-n", outsideNs, "addr", "add", cidr, "dev", outsideLink);
  }
  ip("-n", outsideNs, "link", "set", outsideLink, "up");
  // One listener per stand-in, each on a free port, answering with its own name.
  const server = `import socket, sys, threading
def serve(name, s):
    while True:
        c, _ = s.accept(); c.sendall(name.encode() + b"\\n"); c.close()
for name, host in ${JSON.stringify(standIns)}.items():
    s = socket.socket(); s.bind((host, 0)); s.listen(16)
    print(name, s.getsockname()[1], flush=True)
    threading.Thread(target=serve, args=(name, s), daemon=True).start()
sys.stdin.read()`;
  listener = spawn("nsenter", [`--net=/run/netns/${outsideNs}`, "python3", "-c", server], { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  listener.stdout!.on("data", (chunk) => (output += chunk));
  await waitFor(() => output.trim().split("\n").length === 3);
  for (const line of output.trim().split("\n")) {
    const [name, port] = line.split(" ");
    ports[name as StandIn] = Number(port);
  }
});

afterAll(async () => {
  for (const sandboxd of started) {
    await sandboxd.stop();
    removeDataDir(sandboxd.dataDir);
  }
  if (listener?.pid) {
    listener.kill("SIGKILL");
    await new Promise((resolve) =>
      listener!.exitCode === null && listener!.signalCode === null ? listener!.once("exit", resolve) : resolve(null),
    );
  }
  if (root) {
    spawnSync("ip", ["netns", "del", hostNs]);
    spawnSync("ip", ["netns", "del", outsideNs]);
  }
});

async function sandboxdInHostNs(env: Record<string, string> = {}): Promise<SandboxdProcess> {
  const sandboxd = await startSandboxd({ netns: `/run/netns/${hostNs}`, env });
  started.push(sandboxd);
  return sandboxd;
}

describe.runIf(root)("egress from a workspace", () => {
  it("every stand-in is reachable from the host namespace itself", () => {
    const result = spawnSync(
      "nsenter",
      [`--net=/run/netns/${hostNs}`, "python3", "-c", probe(targets(["private", "linkLocal", "public"]))],
      {
        encoding: "utf8",
      },
    );
    const seen = outcomes(result.stdout);
    expect(seen.private).toMatchObject({ reached: true, detail: "private" });
    expect(seen.linkLocal).toMatchObject({ reached: true, detail: "linkLocal" });
    expect(seen.public).toMatchObject({ reached: true, detail: "public" });
  });

  it("refuses private and link-local addresses at once and reaches a public one", async () => {
    const sandboxd = await sandboxdInHostNs();
    const ws = await sandboxd.client.workspace(uniqueId("egress"));
    const seen = outcomes((await ws.runCode("python", probe(targets(["private", "linkLocal", "public"])))).stdout);
    expect(seen.public).toMatchObject({ reached: true, detail: "public" });
    expect(seen.private).toMatchObject({ reached: false, detail: "PermissionError" });
    expect(seen.linkLocal).toMatchObject({ reached: false, detail: "PermissionError" });
    // Refused by the namespace's own rules, not left to time out.
    expect(seen.private!.ms).toBeLessThan(1000);
    expect(seen.linkLocal!.ms).toBeLessThan(1000);
    const rules = await ws.exec("ip -4 rule; ip -6 rule");
    for (const range of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"]) {
      expect(rules.stdout).toContain(`to ${range} prohibit`);
    }
    // The sandbox user cannot lift them.
    const lift = await ws.exec("ip rule del pref 1100 2>&1; ip rule flush 2>&1; ip -4 rule | grep -c prohibit");
    expect(lift.stdout.trim().split("\n").at(-1)).toBe("5");
  });

  it("reaches an address the operator allows and nothing else in the blocked ranges", async () => {
    const sandboxd = await sandboxdInHostNs({ SANDBOXD_EGRESS_ALLOW: "10.77.0.0/24" });
    const ws = await sandboxd.client.workspace(uniqueId("egress-allow"));
    const seen = outcomes((await ws.runCode("python", probe(targets(["private", "linkLocal", "public"])))).stdout);
    expect(seen.private).toMatchObject({ reached: true, detail: "private" });
    expect(seen.linkLocal).toMatchObject({ reached: false, detail: "PermissionError" });
    expect(seen.public).toMatchObject({ reached: true, detail: "public" });
  });

  it("refuses to start with an allow-list entry that is not an address or CIDR", async () => {
    await expect(startSandboxd({ netns: `/run/netns/${hostNs}`, env: { SANDBOXD_EGRESS_ALLOW: "10.1.2.0/24,intranet" } })).rejects.toThrow(
      /SANDBOXD_EGRESS_ALLOW: "intranet" is not an address or CIDR/,
    );
  });
});
