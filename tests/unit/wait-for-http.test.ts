import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForHttp } from "../../scripts/lib/free-port.ts";

// CI caught this: a port picked free for a Worker was taken first by another wrangler's internal loopback server,
// whose 403 was taken for the Worker being ready; the test file's sign-up then reached that server.
let squatter: Server;
let url: string;

beforeAll(async () => {
  squatter = createServer((_, res) => res.writeHead(403).end("Forbidden"));
  await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
  const address = squatter.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  url = `http://127.0.0.1:${address.port}/api/health/live`;
});

afterAll(() => new Promise<void>((resolve) => squatter.close(() => resolve())));

describe("waiting for a server to answer", () => {
  it("takes any answer as ready when asked for no particular one", async () => {
    await expect(waitForHttp(url, 2000)).resolves.toBeUndefined();
  });

  it("does not take another server's answer for ours, and gives up when ours is gone", async () => {
    let polls = 0;
    const ours = () => ++polls < 5;
    await expect(waitForHttp(url, 10_000, ours, (r) => r.ok)).rejects.toThrow(/exited before it was ready/);
    expect(polls).toBe(5);
  });

  it("names the last answer it refused when the deadline passes", async () => {
    await expect(waitForHttp(url, 300, undefined, (r) => r.ok)).rejects.toThrow(/answered 403/);
  });
});
