import type { z } from "zod";
import { SandboxError } from "../../sandbox/types.ts";
import { AppError, Invalid, RateLimited } from "../errors.ts";

export interface ErrorBody {
  error: { code: string; message: string; [detail: string]: unknown };
}

/** The one mapping from thrown errors to HTTP: typed errors keep their status; anything else is a 500. */
export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    const headers = new Headers({ "cache-control": "no-store" });
    if (error instanceof RateLimited) headers.set("retry-after", String(error.retryAfterSeconds));
    const body: ErrorBody = { error: { code: error.code, message: error.message, ...error.details } };
    return Response.json(body, { status: error.status, headers });
  }
  if (error instanceof SandboxError) {
    // The sandbox's own errors are already written for people (bad path, limit hit, unknown process).
    // 501: the backend cannot do this at all (e.g. a zip on the Cloudflare container), which the message says.
    const status = (error.status >= 400 && error.status < 500) || error.status === 501 ? error.status : 502;
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    return Response.json(body, { status, headers: { "cache-control": "no-store" } });
  }
  console.error("Unhandled error", error);
  const body: ErrorBody = { error: { code: "internal", message: "Something went wrong on our side. Please try again." } };
  return Response.json(body, { status: 500, headers: { "cache-control": "no-store" } });
}

/** Wraps a route handler so typed errors become their JSON error response. */
export function handle<Args extends unknown[]>(
  fn: (request: Request, ...args: Args) => Promise<Response>,
): (request: Request, ...args: Args) => Promise<Response> {
  return async (request, ...args) => {
    try {
      return await fn(request, ...args);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** Parses a JSON body with a zod schema; malformed JSON or a schema mismatch is a 400 naming the problem. */
export async function readJson<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    throw new Invalid("The request body must be valid JSON");
  }
  return parseWith(schema, raw);
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new Invalid(`${where}${issue?.message ?? "Invalid input"}`, {
      issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  return result.data;
}
