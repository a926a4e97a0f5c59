import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, request, requestJson } from "../../src/components/api-client.ts";

const answer = (status: number, body?: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

afterEach(() => vi.unstubAllGlobals());

describe("the browser's API client", () => {
  it("sends JSON bodies with their content type and returns the parsed answer", async () => {
    const fetch = vi.fn(async () => answer(200, { ok: true }));
    vi.stubGlobal("fetch", fetch);
    expect(await requestJson<{ ok: boolean }>("/api/x", { method: "POST", body: { a: 1 } })).toEqual({ ok: true });
    expect(fetch).toHaveBeenCalledWith("/api/x", { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
  });

  it("passes strings and binary bodies as they are and answers undefined for 204", async () => {
    const fetch = vi.fn(async () => answer(204));
    vi.stubGlobal("fetch", fetch);
    const blob = new Blob(["bytes"]);
    expect(await requestJson("/api/f", { method: "PUT", body: blob })).toBeUndefined();
    expect((fetch.mock.calls[0] as unknown[])[1]).toMatchObject({ body: blob, headers: {} });
  });

  it("turns the server's error body into an ApiError with its code, message and status", async () => {
    vi.stubGlobal("fetch", async () => answer(402, { error: { code: "insufficient_credits", message: "You are out of credits." } }));
    const error = await request("/api/y").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 402, code: "insufficient_credits", message: "You are out of credits." });
  });

  it("says what happened when the body is not JSON: rate limited, or the status, or offline", async () => {
    vi.stubGlobal("fetch", async () => new Response("busy", { status: 429 }));
    expect(await request("/api/z").catch((e: unknown) => e)).toMatchObject({
      status: 429,
      code: "rate_limited",
      message: expect.stringMatching(/too many/i),
    });
    vi.stubGlobal("fetch", async () => new Response("oops", { status: 500 }));
    expect(await request("/api/z").catch((e: unknown) => e)).toMatchObject({ status: 500, code: "error", message: "Request failed (500)" });
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await request("/api/z").catch((e: unknown) => e)).toMatchObject({
      status: 0,
      code: "offline",
      message: expect.stringMatching(/offline/i),
    });
  });
});
