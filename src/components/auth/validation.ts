/** Client-side checks that mirror the server's (src/lib/auth/guard.ts), for inline messages before submitting. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emailError(email: string): string | undefined {
  if (!email.trim()) return "Enter your email address";
  if (email.length > 254 || !EMAIL.test(email.trim())) return "Enter a valid email address";
}

export function newPasswordError(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`;
}

export function nameError(name: string): string | undefined {
  if (!name.trim()) return "Enter your name";
  if (name.trim().length > 100) return "Use at most 100 characters";
}

// Any origin will do: a target is parsed against it only to see whether it stays on it.
const PARSE_ORIGIN = "https://app.invalid";

/**
 * Only same-site paths are followed after sign-in, never another origin: the target is parsed as a URL against the
 * app's origin and must stay there. Control characters (a browser drops a TAB or newline and may then read `/\t/x`
 * as `//x`, another host) and backslashes are refused outright. Anything else falls back to a safe default.
 */
export function safeNext(next: string | null | undefined, fallback = "/agents"): string {
  if (!next?.startsWith("/") || /[\p{Cc}\\]/u.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, PARSE_ORIGIN);
  } catch {
    return fallback;
  }
  return url.origin === PARSE_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : fallback;
}
