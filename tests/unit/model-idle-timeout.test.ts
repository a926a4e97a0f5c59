import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fetchWithIdleTimeout, ModelStalled, STREAM_INTERRUPTED } from "../../src/agent/model.ts";

let server: Server | undefined;
const open = new Set<ServerResponse>();

async function serve(handler: (res: ServerResponse) => void): Promise<string> {
  server = createServer((_req, res) => {
    open.add(res);
    handler(res);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
}

afterEach(async () => {
  for (const res of open) res.destroy();
  open.clear();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const sse = (res: ServerResponse) => res.writeHead(200, { "content-type": "text/event-stream" });

describe("the model request's idle timeout", () => {
  it("gives up on an endpoint that never answers, with a message naming it", async () => {
    const url = await serve(() => {});
    await expect(fetchWithIdleTimeout(150, "http://model.test/v1")(url, { method: "POST" })).rejects.toThrow(ModelStalled);
    await expect(fetchWithIdleTimeout(150, "http://model.test/v1")(url, { method: "POST" })).rejects.toThrow(
      "The model endpoint http://model.test/v1 stopped sending for 0.2 s",
    );
  });

  it("ends a stream that goes silent with an SSE error event instead of a failing read", async () => {
    const url = await serve((res) => {
      sse(res);
      res.write('data: {"choices":[]}\n\n');
    });
    const response = await fetchWithIdleTimeout(150, "http://model.test/v1")(url, { method: "POST" });
    const body = await response.text();
    expect(body.startsWith('data: {"choices":[]}')).toBe(true);
    const event = JSON.parse(body.trim().split("\n").at(-1)!.slice("data: ".length)) as { error: { type: string; message: string } };
    expect(event.error.type).toBe(STREAM_INTERRUPTED);
    expect(event.error.message).toMatch(/stopped sending for 0\.2 s/);
  });

  it("ends a stream whose connection drops with an SSE error event naming the endpoint", async () => {
    const url = await serve((res) => {
      sse(res);
      res.write('data: {"choices":[]}\n\n', () => res.socket?.destroy());
    });
    const body = await (await fetchWithIdleTimeout(5_000, "http://model.test/v1")(url, { method: "POST" })).text();
    expect(body).toContain(STREAM_INTERRUPTED);
    expect(body).toContain("The model endpoint http://model.test/v1 closed the connection in the middle of its answer");
  });

  it("lets a slow stream through as long as each gap is shorter than the timeout", async () => {
    const url = await serve((res) => {
      sse(res);
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`data: ${sent}\n\n`);
        if (++sent === 6) {
          clearInterval(timer);
          res.end();
        }
      }, 60);
    });
    const body = await (await fetchWithIdleTimeout(150, "http://model.test/v1")(url, { method: "POST" })).text();
    expect(body).toBe([0, 1, 2, 3, 4, 5].map((n) => `data: ${n}\n\n`).join(""));
  });
});
