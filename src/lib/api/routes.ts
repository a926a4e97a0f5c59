/**
 * The API route table: every `/api/*` route, who may call it, and what it does. `docs/api.md` documents each entry
 * and a unit test checks that the table, the route files under src/app/api and the docs agree.
 */
export type RouteAccess = "public" | "user" | "admin" | "development" | "test";

export interface ApiRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  access: RouteAccess;
  summary: string;
}

export const API_ROUTES: ApiRoute[] = [
  { method: "GET", path: "/api/health", access: "public", summary: "Version and whether D1, KV and the agent namespace answer" },
  { method: "GET", path: "/api/health/live", access: "public", summary: "Answers at once without touching storage" },
  { method: "GET", path: "/api/dev/probe", access: "development", summary: "Reads a probe value from D1, KV and a Durable Object" },
  { method: "POST", path: "/api/dev/probe", access: "development", summary: "Writes a probe value to D1, KV and a Durable Object" },
  { method: "GET", path: "/api/dev/mailbox", access: "development", summary: "Messages in the local mailbox, newest first" },
  { method: "POST", path: "/api/dev/mailbox", access: "development", summary: "Sends a test email through the active transport" },
  { method: "GET", path: "/api/credits", access: "user", summary: "The acting account's credit balance" },
  { method: "GET", path: "/api/credits/transactions", access: "user", summary: "The acting account's ledger, newest first, paginated" },
  { method: "POST", path: "/api/test/accounts", access: "test", summary: "Creates a bare billing account (test suite only)" },
  { method: "POST", path: "/api/test/ledger", access: "test", summary: "Drives the credits ledger directly (test suite only)" },
];
