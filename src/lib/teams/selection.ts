/**
 * The account the app acts on in a browser, remembered by the account switcher in a cookie. Requests without an
 * `X-Account` header act on it; server pages read it too. It only selects among the caller's own memberships.
 */
export const ACCOUNT_COOKIE = "netm8-account";

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The account id the cookie header selects, if any. */
export function selectedAccountId(cookieHeader: string | null | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name !== ACCOUNT_COOKIE) continue;
    const value = decodeURIComponent(rest.join("="));
    return ACCOUNT_ID.test(value) ? value : undefined;
  }
  return undefined;
}
