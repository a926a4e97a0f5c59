/**
 * The browser's one client for the platform's own API (docs/api.md): JSON in and out, the server's error body
 * `{error: {code, message}}` turned into an ApiError that keeps the code and the status, and an offline network
 * turned into a clear message. Every fetch wrapper of the UI goes through `request`; response types are imported
 * from the server's own modules (`import type`), never copied.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const OFFLINE = "You appear to be offline. Check your connection and try again.";
const TOO_MANY = "Too many attempts. Wait a moment and try again.";

/** The ApiError of a refused request, from its JSON error body when it has one. */
export async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = body?.error?.code ?? (response.status === 402 ? "insufficient_credits" : response.status === 429 ? "rate_limited" : "error");
  const fallback = response.status === 429 ? TOO_MANY : `Request failed (${response.status})`;
  return new ApiError(body?.error?.message ?? fallback, response.status, code);
}

/** Sends a request to our own API; a JSON `body` that is not already a string or binary is encoded. */
export async function request(path: string, init: Omit<RequestInit, "body"> & { body?: unknown } = {}): Promise<Response> {
  const { body, ...rest } = init;
  const raw =
    body === undefined || typeof body === "string" || body instanceof Blob || body instanceof ArrayBuffer || body instanceof FormData;
  const encoded = raw ? (body as BodyInit | undefined) : JSON.stringify(body);
  const headers = {
    ...(typeof encoded === "string" ? { "content-type": "application/json" } : {}),
    ...(rest.headers as Record<string, string>),
  };
  let response: Response;
  try {
    response = await fetch(path, { ...rest, headers, body: encoded });
  } catch {
    throw new ApiError(OFFLINE, 0, "offline");
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** Like request, for a JSON answer (undefined for 204 No Content). */
export async function requestJson<T>(path: string, init: Omit<RequestInit, "body"> & { body?: unknown } = {}): Promise<T> {
  const response = await request(path, init);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/**
 * Posts a body with XMLHttpRequest, which reports upload progress (fetch does not), with the same errors as request.
 * `onProgress` gets the share sent, 0 to 1; aborting the signal cancels the upload.
 */
export function uploadWithProgress<T>(path: string, body: FormData, onProgress: (sent: number) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.responseType = "text";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: the status alone says what happened.
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(parsed as T);
      const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      const fallback = xhr.status === 429 ? TOO_MANY : `Request failed (${xhr.status})`;
      reject(new ApiError(error?.message ?? fallback, xhr.status, error?.code ?? "error"));
    };
    xhr.onerror = () => reject(new ApiError(OFFLINE, 0, "offline"));
    xhr.onabort = () => reject(new ApiError("The upload was cancelled", 0, "aborted"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
