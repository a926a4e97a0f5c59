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
  { method: "GET", path: "/api/auth/*", access: "public", summary: "Better Auth: session, email verification and reset links, OAuth callbacks, passkey options" },
  { method: "POST", path: "/api/auth/*", access: "public", summary: "Better Auth: sign-up, sign-in, sign-out, password reset and change, passkeys, profile" },
  { method: "GET", path: "/api/me", access: "user", summary: "The caller, their personal account and the acting account" },
  { method: "GET", path: "/api/keys", access: "user", summary: "The caller's API keys (never the secrets)" },
  { method: "POST", path: "/api/keys", access: "user", summary: "Creates an API key; the secret is in this response only" },
  { method: "DELETE", path: "/api/keys/:id", access: "user", summary: "Revokes an API key at once" },
  { method: "GET", path: "/api/sessions", access: "user", summary: "The caller's active sessions: device, IP, created, last seen" },
  { method: "DELETE", path: "/api/sessions", access: "user", summary: "Signs out every other session" },
  { method: "DELETE", path: "/api/sessions/:id", access: "user", summary: "Signs out one session at once" },
  { method: "GET", path: "/api/agent", access: "user", summary: "The acting account's agents (creates a verified user's default agent)" },
  { method: "POST", path: "/api/agent", access: "user", summary: "Creates an agent" },
  { method: "GET", path: "/api/agent/:id", access: "user", summary: "One agent" },
  { method: "PATCH", path: "/api/agent/:id", access: "user", summary: "Renames an agent or changes its model, instructions or step limit" },
  { method: "DELETE", path: "/api/agent/:id", access: "user", summary: "Deletes an agent with its threads, memory and workspace" },
  { method: "GET", path: "/api/agent/:id/threads", access: "user", summary: "The agent's threads; ?q= searches titles and messages" },
  { method: "POST", path: "/api/agent/:id/threads", access: "user", summary: "Starts a thread" },
  { method: "GET", path: "/api/agent/:id/threads/:tid", access: "user", summary: "One thread" },
  { method: "PATCH", path: "/api/agent/:id/threads/:tid", access: "user", summary: "Renames a thread" },
  { method: "DELETE", path: "/api/agent/:id/threads/:tid", access: "user", summary: "Deletes a thread and its history" },
  { method: "GET", path: "/api/agent/:id/threads/:tid/messages", access: "user", summary: "A thread's full history" },
  { method: "POST", path: "/api/agent/:id/threads/:tid/messages", access: "user", summary: "Runs a turn (SSE, or JSON with Accept: application/json)" },
  { method: "POST", path: "/api/agent/:id/threads/:tid/stop", access: "user", summary: "Stops the running turn and its tool calls" },
  { method: "POST", path: "/api/agent/:id/exec", access: "user", summary: "Runs a command in the workspace" },
  { method: "POST", path: "/api/agent/:id/code", access: "user", summary: "Runs Python or JavaScript in the workspace" },
  { method: "GET", path: "/api/agent/:id/files", access: "user", summary: "A file's bytes or a directory listing" },
  { method: "PUT", path: "/api/agent/:id/files", access: "user", summary: "Writes a file from the raw body" },
  { method: "DELETE", path: "/api/agent/:id/files", access: "user", summary: "Deletes a file or directory" },
  { method: "POST", path: "/api/agent/:id/files/mkdir", access: "user", summary: "Creates a directory" },
  { method: "POST", path: "/api/agent/:id/files/move", access: "user", summary: "Moves or renames a file or directory" },
  { method: "GET", path: "/api/agent/:id/processes", access: "user", summary: "Background processes with their status" },
  { method: "POST", path: "/api/agent/:id/processes", access: "user", summary: "Starts a background process" },
  { method: "GET", path: "/api/agent/:id/processes/:pid", access: "user", summary: "One background process" },
  { method: "DELETE", path: "/api/agent/:id/processes/:pid", access: "user", summary: "Stops a background process and its whole tree" },
  { method: "GET", path: "/api/agent/:id/processes/:pid/logs", access: "user", summary: "A process's output; ?follow=1 streams it as SSE" },
  { method: "POST", path: "/api/agent/:id/git/clone", access: "user", summary: "Clones a repository into the workspace" },
  { method: "GET", path: "/api/agent/:id/git/status", access: "user", summary: "git status of a repository in the workspace" },
  { method: "GET", path: "/api/agent/:id/git/diff", access: "user", summary: "Uncommitted changes of a repository in the workspace" },
  { method: "POST", path: "/api/agent/:id/git/commit", access: "user", summary: "Stages all changes and commits" },
  { method: "GET", path: "/api/agent/:id/ports", access: "user", summary: "The workspace's exposed ports with their preview URLs" },
  { method: "POST", path: "/api/agent/:id/ports", access: "user", summary: "Exposes a port; answers its preview URL" },
  { method: "DELETE", path: "/api/agent/:id/ports/:port", access: "user", summary: "Stops previewing a port" },
  { method: "POST", path: "/api/agent/:id/template", access: "user", summary: "Applies a project template: copy, install, start (SSE progress)" },
  { method: "GET", path: "/api/templates", access: "user", summary: "The project templates (Next.js, React and Vue with Vite)" },
  { method: "GET", path: "/api/agent/:id/memory", access: "user", summary: "The agent's memory notes" },
  { method: "POST", path: "/api/agent/:id/memory", access: "user", summary: "Adds a memory note" },
  { method: "PATCH", path: "/api/agent/:id/memory/:noteId", access: "user", summary: "Edits a memory note" },
  { method: "DELETE", path: "/api/agent/:id/memory/:noteId", access: "user", summary: "Deletes a memory note" },
  { method: "GET", path: "/api/agent/:id/usage", access: "user", summary: "What the agent used: credits, tokens, sandbox time, per day" },
  { method: "GET", path: "/api/credits", access: "user", summary: "The acting account's credit balance" },
  { method: "GET", path: "/api/credits/transactions", access: "user", summary: "The acting account's ledger, newest first, paginated" },
  { method: "GET", path: "/api/credits/purchases", access: "user", summary: "Credit packages, whether purchases are set up, and the acting account's purchases" },
  { method: "POST", path: "/api/credits/checkout", access: "user", summary: "Starts a Stripe Checkout for a credit package; returns its URL" },
  { method: "POST", path: "/api/credits/portal", access: "user", summary: "Opens the Stripe customer portal (invoices, payment methods); returns its URL" },
  { method: "POST", path: "/api/stripe/webhook", access: "public", summary: "Stripe events (signed): grants purchased credits once, removes refunded ones" },
  { method: "GET", path: "/api/usage", access: "user", summary: "Credits and tokens used between two days, per day, agent or model, with totals" },
  { method: "POST", path: "/api/test/accounts", access: "test", summary: "Creates a bare billing account (test suite only)" },
  { method: "POST", path: "/api/test/ledger", access: "test", summary: "Drives the credits ledger directly (test suite only)" },
];
