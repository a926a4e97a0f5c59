import { AppError, InsufficientCredits, RateLimited } from "../errors.ts";
import { SandboxError } from "../../sandbox/types.ts";

/** OpenAI's error body: what its SDKs read into APIError (message, type, param, code). */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null; [detail: string]: unknown };
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "insufficient_quota",
  403: "permission_error",
  404: "invalid_request_error",
  409: "invalid_request_error",
  429: "rate_limit_exceeded",
};

/** The body of an error in OpenAI's shape; an account out of credits is `insufficient_quota`, as OpenAI says it. */
export function openAiErrorBody(status: number, code: string, message: string, details: Record<string, unknown> = {}): OpenAiErrorBody {
  const quota = status === 402;
  return {
    error: {
      ...details,
      message,
      type: TYPE_BY_STATUS[status] ?? (status >= 500 ? "server_error" : "invalid_request_error"),
      param: null,
      code: quota ? "insufficient_quota" : code,
    },
  };
}

/** The one mapping from thrown errors to HTTP for `/v1`: the same statuses as `/api`, in OpenAI's error shape. */
export function openAiErrorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    const headers = new Headers({ "cache-control": "no-store" });
    if (error instanceof RateLimited) headers.set("retry-after", String(error.retryAfterSeconds));
    const details = error instanceof InsufficientCredits ? error.details : {};
    return Response.json(openAiErrorBody(error.status, error.code, error.message, details), { status: error.status, headers });
  }
  const status = error instanceof SandboxError && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error("Unhandled error", error);
  const message = status === 500 ? "Something went wrong on our side. Please try again." : (error as Error).message;
  return Response.json(openAiErrorBody(status, status === 500 ? "internal" : (error as SandboxError).code, message), {
    status,
    headers: { "cache-control": "no-store" },
  });
}

/** Wraps a `/v1` route handler so typed errors become OpenAI-shaped error responses. */
export function handleOpenAi<Args extends unknown[]>(
  fn: (request: Request, ...args: Args) => Promise<Response>,
): (request: Request, ...args: Args) => Promise<Response> {
  return async (request, ...args) => {
    try {
      return await fn(request, ...args);
    } catch (error) {
      return openAiErrorResponse(error);
    }
  };
}
