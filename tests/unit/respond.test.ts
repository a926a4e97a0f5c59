import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InsufficientCredits, NotFound, RateLimited } from "../../src/lib/errors.ts";
import { errorResponse, handle, readJson } from "../../src/lib/http/respond.ts";

describe("error responses", () => {
  it("maps typed errors to their status and a {error: {code, message}} body", async () => {
    const response = errorResponse(new NotFound("No such agent"));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: "No such agent" } });
  });

  it("keeps the details of an out-of-credits error for the client", async () => {
    const response = errorResponse(new InsufficientCredits("Out of credits", { balance: 0, buyUrl: "/billing" }));
    expect(response.status).toBe(402);
    expect(await response.json()).toEqual({
      error: { code: "insufficient_credits", message: "Out of credits", balance: 0, buyUrl: "/billing" },
    });
  });

  it("tells a rate-limited client when to retry", () => {
    const response = errorResponse(new RateLimited(42));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
  });

  it("hides the details of unexpected errors behind a 500", async () => {
    const response = errorResponse(new Error("database password is hunter2"));
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain("hunter2");
  });
});

describe("reading JSON bodies", () => {
  const schema = z.object({ name: z.string().min(1).max(5) });
  const route = handle(async (request: Request) => Response.json(await readJson(request, schema)));
  const post = (body: string) => route(new Request("http://x/", { method: "POST", body }));

  it("answers 400 with a clear message for malformed JSON", async () => {
    const response = await post("{not json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/valid JSON/);
  });

  it("answers 400 naming the field that does not fit the schema", async () => {
    const response = await post(JSON.stringify({ name: "much too long" }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^name: /);
  });

  it("passes a valid body through", async () => {
    const response = await post(JSON.stringify({ name: "ok" }));
    expect(await response.json()).toEqual({ name: "ok" });
  });
});
