/** An error that reaches the client as `{error: {code, message}}` with this HTTP status. */
export class HttpError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const invalid = (message: string, code = "invalid_request") => new HttpError(400, code, message);
export const notFound = (message: string, code = "not_found") => new HttpError(404, code, message);

const statusByFileCode: Record<string, number> = {
  invalid_path: 400,
  path_outside_workspace: 403,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  directory_not_empty: 409,
  is_a_directory: 400,
  not_a_directory: 400,
  not_a_regular_file: 400,
  too_many_entries: 413,
  file_too_large: 413,
  disk_quota_exceeded: 507,
  io_error: 500,
};

/** Maps an error the executor reported for a file operation to the HTTP error the client sees. */
export function fileOpError(code: string, message: string): HttpError {
  return new HttpError(statusByFileCode[code] ?? 500, code, message);
}
