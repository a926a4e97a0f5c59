import { randomUUID } from "node:crypto";

export interface TestUser {
  email: string;
  password: string;
  name: string;
  /** The Cookie header value that carries the session. */
  cookie: string;
  /** Headers for a cookie-authenticated request from the app's own origin. */
  headers(extra?: Record<string, string>): Record<string, string>;
}

let ipCounter = 0;

/** A distinct client address per test user, so per-IP rate limits of one test never trip another. */
export function nextClientIp(): string {
  ipCounter += 1;
  return `198.18.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

function cookiesFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** Signs a new user up through the real auth API and returns their session. */
export async function signUpUser(baseUrl: string, options: { name?: string; email?: string; password?: string } = {}): Promise<TestUser> {
  const email = options.email ?? `user-${randomUUID().slice(0, 12)}@example.com`;
  const password = options.password ?? `pw-${randomUUID()}`;
  const name = options.name ?? "Test User";
  const ip = nextClientIp();
  const response = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl, "cf-connecting-ip": ip },
    body: JSON.stringify({ name, email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const cookie = cookiesFrom(response);
  if (!cookie) throw new Error("sign-up set no session cookie");
  return {
    email,
    password,
    name,
    cookie,
    headers: (extra = {}) => ({ cookie, origin: baseUrl, "cf-connecting-ip": ip, ...extra }),
  };
}

/** Signs a user up and follows the verification link from the dev mailbox, as a person would. */
export async function signUpVerifiedUser(baseUrl: string, options: { name?: string } = {}): Promise<TestUser> {
  const user = await signUpUser(baseUrl, options);
  const deadline = Date.now() + 10_000;
  let link: string | undefined;
  while (!link && Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/api/dev/mailbox?to=${encodeURIComponent(user.email)}`);
    const { messages } = (await response.json()) as { messages: { links: string[] }[] };
    link = messages.flatMap((m) => m.links).find((l) => /verify/i.test(l));
    if (!link) await new Promise((r) => setTimeout(r, 100));
  }
  if (!link) throw new Error(`no verification email for ${user.email}`);
  const target = new URL(link);
  const verified = await fetch(`${baseUrl}${target.pathname}${target.search}`, { headers: user.headers(), redirect: "manual" });
  if (verified.status >= 400) throw new Error(`verification failed: ${verified.status} ${await verified.text()}`);
  const refreshed = cookiesFrom(verified);
  if (refreshed) {
    const merged = new Map(user.cookie.split("; ").map((c) => [c.split("=")[0], c] as const));
    for (const c of refreshed.split("; ")) merged.set(c.split("=")[0], c);
    const cookie = [...merged.values()].join("; ");
    return { ...user, cookie, headers: (extra = {}) => ({ ...user.headers(), cookie, ...extra }) };
  }
  return user;
}
