import type { Env } from "../env.ts";
import { API_ROUTES, type ApiRoute } from "../lib/api/routes.ts";
import { MCP_PATH } from "../lib/auth/oauth-server.ts";
import { Invalid, MethodNotAllowed, NotFound } from "../lib/errors.ts";
import { runWithRequestContext } from "../lib/http/cloudflare-env.ts";
import { errorResponse } from "../lib/http/respond.ts";
import { API_ROUTE_MODULES } from "./api-route-modules.ts";

type Method = ApiRoute["method"];
export type RouteParams = Record<string, string | string[]>;
type RouteContext = { params: Promise<RouteParams> };

/**
 * A route.ts module under src/app/api: one web-standard handler per method it serves. Method syntax, so that a
 * handler may name the params its path has (`{ params: Promise<{ id: string }> }`).
 */
export interface ApiRouteModule {
  GET?(request: Request, context: RouteContext): Response | Promise<Response>;
  POST?(request: Request, context: RouteContext): Response | Promise<Response>;
  PUT?(request: Request, context: RouteContext): Response | Promise<Response>;
  PATCH?(request: Request, context: RouteContext): Response | Promise<Response>;
  DELETE?(request: Request, context: RouteContext): Response | Promise<Response>;
}

type Segment = { kind: "static"; value: string } | { kind: "param"; name: string } | { kind: "rest"; name: string };

interface CompiledRoute {
  path: string;
  segments: Segment[];
  methods: Method[];
  load: () => Promise<ApiRouteModule>;
}

// Next.js named the catch-all segment (`[...all]`); the table writes `*`, and handlers read it by that name.
const REST_PARAM = "all";
// When a path matches two routes, a static segment wins over a parameter, and a parameter over a catch-all.
const RANK: Record<Segment["kind"], number> = { static: 0, param: 1, rest: 2 };

function compile(path: string, methods: Method[]): CompiledRoute {
  const load = API_ROUTE_MODULES[path];
  if (!load) throw new Error(`No route module for ${path}: run npm run build`);
  const segments = path
    .split("/")
    .slice(1)
    .map((part): Segment => {
      if (part === "*") return { kind: "rest", name: REST_PARAM };
      if (part.startsWith(":")) return { kind: "param", name: part.slice(1) };
      return { kind: "static", value: part };
    });
  return { path, segments, methods, load };
}

function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const difference = RANK[a.segments[i]!.kind] - RANK[b.segments[i]!.kind];
    if (difference !== 0) return difference;
  }
  return b.segments.length - a.segments.length;
}

function compileTable(routes: ApiRoute[]): CompiledRoute[] {
  const methods = new Map<string, Method[]>();
  for (const route of routes) methods.set(route.path, [...(methods.get(route.path) ?? []), route.method]);
  return [...methods].map(([path, list]) => compile(path, list)).sort(bySpecificity);
}

const ROUTES = compileTable(API_ROUTES);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new Invalid("The request path is not valid percent-encoding");
  }
}

function matchSegments(segments: Segment[], parts: string[]): RouteParams | null {
  const params: RouteParams = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === "rest") {
      if (i >= parts.length) return null;
      params[segment.name] = parts.slice(i).map(decode);
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === "") return null;
    if (segment.kind === "static") {
      if (part !== segment.value) return null;
    } else {
      params[segment.name] = decode(part);
    }
  }
  return parts.length === segments.length ? params : null;
}

/** The route a pathname names, with its decoded parameters; a trailing slash is ignored, as Next.js did. */
export function matchApiRoute(pathname: string): { route: CompiledRoute; params: RouteParams } | null {
  const parts = pathname
    .replace(/(.)\/$/, "$1")
    .split("/")
    .slice(1);
  for (const route of ROUTES) {
    const params = matchSegments(route.segments, parts);
    if (params) return { route, params };
  }
  return null;
}

/** What `Allow` lists for a route: its methods, HEAD wherever GET is served, and OPTIONS. */
function allowed(route: CompiledRoute): string {
  const methods = new Set<string>([...route.methods, "OPTIONS"]);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort().join(", ");
}

/**
 * Serves `/api/*` from the Worker entry with the route.ts modules under src/app/api, chosen by the route table
 * (src/lib/api/routes.ts), without Next.js: a handler gets `{ params }` as Next.js gave them (decoded, a promise) and
 * reads the bindings and waitUntil through getEnv() and waitUntil() as before. HEAD is answered by GET without the
 * body and OPTIONS with the allowed methods, as Next.js did; an unknown path answers 404 and a method the route does
 * not serve 405, both as JSON errors. The OpenAI-compatible `/v1/*` routes of the table and the MCP endpoint `/mcp`
 * are served the same way. Returns null for any other path.
 */
export async function handleApiRequest(request: Request, env: Env, ctx: ExecutionContext): Promise<Response | null> {
  const { pathname } = new URL(request.url);
  const outsideApi = pathname.startsWith("/v1/") || pathname === MCP_PATH || pathname === `${MCP_PATH}/`;
  if (pathname !== "/api" && !pathname.startsWith("/api/") && !outsideApi) return null;
  // /v1/* paths the table does not name go on to Next.js, which answers them as it always has.
  if (outsideApi && !matchApiRoute(pathname)) return null;
  try {
    const match = matchApiRoute(pathname);
    if (!match) throw new NotFound("No such API route");
    const { route, params } = match;
    const method = request.method.toUpperCase();
    if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow: allowed(route) } });
    const served = (method === "HEAD" ? "GET" : method) as Method;
    if (!route.methods.includes(served)) {
      const response = errorResponse(new MethodNotAllowed(`${method} is not allowed here: this route answers ${allowed(route)}`));
      response.headers.set("allow", allowed(route));
      return response;
    }
    const handler = (await route.load())[served];
    if (!handler) throw new Error(`${route.path} lists ${served} but its route module does not export it`);
    const response = await runWithRequestContext({ env, ctx }, () => handler(request, { params: Promise.resolve(params) }));
    if (method !== "HEAD") return response;
    await response.body?.cancel();
    return new Response(null, response);
  } catch (error) {
    return errorResponse(error);
  }
}
