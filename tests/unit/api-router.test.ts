import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import { API_ROUTES } from "../../src/lib/api/routes.ts";
import { handleApiRequest, matchApiRoute } from "../../src/worker/api-router.ts";

const env = {} as Env;
const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;

function serve(method: string, path: string): Promise<Response | null> {
  return handleApiRequest(new Request(`http://app.test${path}`, { method }), env, ctx);
}

describe("the Worker's API router", () => {
  it("finds every route of the table by a path of its shape, with its parameters", () => {
    for (const { path } of API_ROUTES) {
      const concrete = path.replace(/:(\w+)/g, "value-of-$1").replace("*", "first/second");
      const match = matchApiRoute(concrete);
      expect(match?.route.path, concrete).toBe(path);
      for (const [, name] of path.matchAll(/:(\w+)/g)) expect(match?.params[name!]).toBe(`value-of-${name}`);
      if (path.endsWith("*")) expect(match?.params.all).toEqual(["first", "second"]);
    }
  });

  it("prefers a static segment to a parameter where two routes match, as Next.js did", () => {
    expect(matchApiRoute("/api/teams/invitations/invitations/accept")?.route.path).toBe("/api/teams/invitations/:token/accept");
    expect(matchApiRoute("/api/teams/some-team/invitations/inv-1")?.route.path).toBe("/api/teams/:teamId/invitations/:invitationId");
  });

  it("hands parameters decoded and ignores a trailing slash", () => {
    expect(matchApiRoute("/api/agent/a%2Fb%20c")?.params).toEqual({ id: "a/b c" });
    expect(matchApiRoute("/api/me/")?.route.path).toBe("/api/me");
  });

  it("matches no route for unknown paths, empty segments or extra segments", () => {
    for (const path of ["/api", "/api/", "/api/nothing", "/api//me", "/api/agent//exec", "/api/health/live/more", "/api/Me"]) {
      expect(matchApiRoute(path), path).toBeNull();
    }
  });

  it("leaves paths outside /api to the rest of the Worker", async () => {
    expect(await serve("GET", "/agents")).toBeNull();
    expect(await serve("GET", "/apis/health/live")).toBeNull();
  });

  it("answers an unknown API path with a JSON 404", async () => {
    const response = (await serve("GET", "/api/nothing"))!;
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: "No such API route" } });
  });

  it("answers a method the route does not serve with a JSON 405 that says which are allowed", async () => {
    const response = (await serve("POST", "/api/health/live"))!;
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });

  it("answers HEAD with GET's status and headers and no body, and OPTIONS with the allowed methods", async () => {
    const head = (await serve("HEAD", "/api/health/live"))!;
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("application/json");
    expect(await head.text()).toBe("");
    const options = (await serve("OPTIONS", "/api/agent/some-agent/files"))!;
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("DELETE, GET, HEAD, OPTIONS, PUT");
  });

  it("refuses a path that is not valid percent-encoding with a JSON 400", async () => {
    const response = (await serve("GET", "/api/agent/%E0%A4%A"))!;
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
  });

  it("serves the route module's own answer", async () => {
    const response = (await serve("GET", "/api/health/live"))!;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
