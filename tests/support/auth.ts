import { expect } from "vitest";

let counter = 0;

/** A fresh email address per call, so tests never share accounts or per-email rate limits. */
export function uniqueEmail(label = "user"): string {
  return `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}-${crypto.randomUUID().slice(0, 6)}@example.com`;
}

/** A fresh client IP per call (sent as CF-Connecting-IP), so tests never share per-IP rate limits. */
export function uniqueIp(): string {
  const n = crypto.getRandomValues(new Uint8Array(3));
  return `10.${n[0]}.${n[1]}.${n[2]}`;
}

export interface SignedIn {
  email: string;
  password: string;
  name: string;
  ip: string;
  /** `name=value` of the session cookie, for a Cookie header. */
  cookie: string;
  /** Headers for a cookie-authenticated request from this site (Cookie, Origin, CF-Connecting-IP). */
  headers: Record<string, string>;
}

/** The `name=value` part of the session cookie a response sets, or undefined. */
export function sessionCookie(response: Response): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(";")[0]!;
    if (pair.includes("session_token=")) return pair;
  }
  return undefined;
}

function browserHeaders(base: string, ip: string, cookie?: string): Record<string, string> {
  return { origin: new URL(base).origin, "cf-connecting-ip": ip, ...(cookie ? { cookie } : {}) };
}

export async function signUp(
  base: string,
  options: { email?: string; password?: string; name?: string; ip?: string } = {},
): Promise<SignedIn> {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? "correct horse battery";
  const name = options.name ?? "Test User";
  const ip = options.ip ?? uniqueIp();
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", ...browserHeaders(base, ip) },
    body: JSON.stringify({ name, email, password }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const cookie = sessionCookie(response);
  expect(cookie).toBeDefined();
  return { email, password, name, ip, cookie: cookie!, headers: browserHeaders(base, ip, cookie) };
}

export async function signIn(base: string, email: string, password: string, ip = uniqueIp()): Promise<SignedIn> {
  const response = await fetch(`${base}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", ...browserHeaders(base, ip) },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const cookie = sessionCookie(response)!;
  return { email, password, name: "", ip, cookie, headers: browserHeaders(base, ip, cookie) };
}

interface MailboxMessage {
  subject: string;
  links: string[];
}

/** Polls the dev mailbox until a message to `to` whose subject matches arrives; returns its first matching link. */
export async function mailLink(base: string, to: string, subject: RegExp, link: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${base}/api/dev/mailbox?to=${encodeURIComponent(to)}`);
    const { messages } = (await response.json()) as { messages: MailboxMessage[] };
    const found = messages.find((m) => subject.test(m.subject))?.links.find((l) => link.test(l));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No mail to ${to} matching ${subject} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Verifies the email of a signed-up user by following the link in the verification email. */
export async function verifyEmail(base: string, user: SignedIn): Promise<void> {
  const link = await mailLink(base, user.email, /verify/i, /verify-email/);
  const response = await fetch(rebase(link, base), { redirect: "manual", headers: { "cf-connecting-ip": user.ip } });
  expect([200, 302, 303, 307]).toContain(response.status);
}

/** Points a link from an email at the test Worker's origin (emails name the host the request used). */
export function rebase(link: string, base: string): string {
  const url = new URL(link);
  const target = new URL(base);
  url.protocol = target.protocol;
  url.host = target.host;
  return url.toString();
}

/** A browser context that is signed in as a new user (signed up through the API) and sends its own client IP. */
export async function signedInContext(
  browser: import("playwright-core").Browser,
  base: string,
  options: { viewport?: { width: number; height: number }; colorScheme?: "light" | "dark"; name?: string } = {},
) {
  const ip = uniqueIp();
  const user = await signUp(base, { ip, name: options.name });
  const context = await browser.newContext({
    viewport: options.viewport,
    colorScheme: options.colorScheme,
    extraHTTPHeaders: { "cf-connecting-ip": ip },
  });
  const [name, value] = splitCookie(user.cookie);
  await context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: "Lax" }]);
  return { context, user };
}

function splitCookie(pair: string): [string, string] {
  const eq = pair.indexOf("=");
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}
