import { ACCOUNT_COOKIE } from "@/lib/teams/selection.ts";

/** Remembers the account the app acts on (read by the server on every request) and reloads into it. */
export function selectAccount(accountId: string, goTo?: string): void {
  // biome-ignore lint/suspicious/noDocumentCookie: one plain cookie the server reads; the Cookie Store API is not in every browser
  document.cookie = `${ACCOUNT_COOKIE}=${encodeURIComponent(accountId)}; path=/; max-age=31536000; samesite=lax`;
  // An agent page belongs to the account it was opened in; the agents list is where another account starts.
  const path = goTo ?? (window.location.pathname.startsWith("/agents/") ? "/agents" : window.location.pathname);
  window.location.assign(path);
}
