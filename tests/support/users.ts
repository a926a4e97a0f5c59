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
