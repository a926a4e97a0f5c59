import { describe, expect, it } from "vitest";
import { applyTemplate, type TemplateEvent } from "../../src/lib/templates/apply.ts";
import type { ExecEvent, ExecOptions, TemplateDependencies, Workspace } from "../../src/sandbox/types.ts";

/** A workspace that answers what applying a template asks, and records the commands it is given. */
function recordingWorkspace(deps: TemplateDependencies) {
  const streamed: { command: string; options?: ExecOptions }[] = [];
  let listening = false;
  const workspace = {
    id: "ws",
    exists: async () => ({ exists: false }),
    listFiles: async () => [],
    writeFile: async () => {},
    provideTemplateDependencies: async () => deps,
    exec: async (command: string) => {
      // The free-port scan finds 8080 free; the probe after the start finds it listening.
      if (command.startsWith("for p in")) return { exitCode: 0, stdout: "8080\n", stderr: "", durationMs: 1 };
      return { exitCode: listening ? 0 : 1, stdout: "", stderr: "", durationMs: 1 };
    },
    async *execStream(command: string, options?: ExecOptions): AsyncIterable<ExecEvent> {
      streamed.push({ command, options });
      yield { type: "exit", exitCode: 0, durationMs: 1 };
    },
    exposePort: async (port: number) => ({ port, token: "t".repeat(24), exposedAt: new Date(0).toISOString(), url: "http://preview" }),
    startProcess: async () => {
      listening = true;
      return { id: "proc_1" };
    },
  };
  return { workspace: workspace as unknown as Workspace, streamed };
}

async function run(workspace: Workspace): Promise<TemplateEvent[]> {
  const events: TemplateEvent[] = [];
  for await (const event of applyTemplate(workspace, "react-vite", {})) events.push(event);
  return events;
}

describe("applying a template's dependencies", () => {
  it("runs no install where the backend provides the packages, and starts the dev server at once", async () => {
    const { workspace, streamed } = recordingWorkspace({ provided: true, store: "abc" });
    const events = await run(workspace);
    expect(streamed).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ step: "install", status: "done", message: expect.stringContaining("abc") }));
    expect(events.at(-1)).toMatchObject({ type: "ready", port: 8080, processId: "proc_1" });
  });

  it("installs offline-first from the backend's npm cache when it keeps one (the Cloudflare image)", async () => {
    const { workspace, streamed } = recordingWorkspace({ provided: false, reason: "container", npmCache: "/opt/netm8/npm-cache" });
    await run(workspace);
    expect(streamed).toHaveLength(1);
    expect(streamed[0]!.command).toContain("--prefer-offline");
    expect(streamed[0]!.options?.env).toMatchObject({ npm_config_cache: "/opt/netm8/npm-cache" });
  });

  it("installs from the registry as before where the backend has neither", async () => {
    const { workspace, streamed } = recordingWorkspace({ provided: false, reason: "no root" });
    await run(workspace);
    expect(streamed.map((s) => s.command)).toEqual(["npm install --no-audit --no-fund"]);
    expect(streamed[0]!.options?.env).toMatchObject({ npm_config_cache: "/tmp/.npm-cache" });
  });
});
