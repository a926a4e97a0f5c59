/** Typed domain errors. Domain code throws these; `src/lib/http/respond.ts` maps them to HTTP. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: string, status: number, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export class Invalid extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("invalid_request", 400, message, details);
  }
}

export class Unauthorized extends AppError {
  constructor(message = "Sign in to continue") {
    super("unauthorized", 401, message);
  }
}

export class Forbidden extends AppError {
  constructor(message = "You do not have permission to do that") {
    super("forbidden", 403, message);
  }
}

export class NotFound extends AppError {
  constructor(message = "Not found") {
    super("not_found", 404, message);
  }
}

export class MethodNotAllowed extends AppError {
  constructor(message = "This method is not allowed here") {
    super("method_not_allowed", 405, message);
  }
}

export class Conflict extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("conflict", 409, message, details);
  }
}

export class InsufficientCredits extends AppError {
  constructor(message: string, details: { balance: number; buyUrl: string }) {
    super("insufficient_credits", 402, message, details);
  }
}

export class RateLimited extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, message = "Too many requests, try again later") {
    super("rate_limited", 429, message, { retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class ServiceUnavailable extends AppError {
  constructor(message: string) {
    super("service_unavailable", 503, message);
  }
}

export class PayloadTooLarge extends AppError {
  constructor(message: string) {
    super("payload_too_large", 413, message);
  }
}
