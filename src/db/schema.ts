import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () => integer("created_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch() * 1000)`);

/** A key/value row that proves D1 writes and reads through the real runtime (health and dev probe). */
export const probe = sqliteTable("probe", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

/** Messages captured by the local mailbox transport (development and tests only; never used in production). */
export const devMailboxMessage = sqliteTable(
  "dev_mailbox_message",
  {
    id: text("id").primaryKey(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    linksJson: text("links_json").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("dev_mailbox_message_to_idx").on(t.toAddress, t.createdAt)],
);

// Authentication (Better Auth). JS keys are Better Auth's field names; columns are snake_case with units.
// Better Auth's own "account" model (linked credentials) is renamed to `auth_account`: `account` is the billing account.

/** A person who can sign in. `role` is "user" or "admin" (Better Auth's admin plugin reads role and ban fields). */
export const user = sqliteTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
  image: text("image"),
  role: text("role").notNull().default("user"),
  banned: integer("banned", { mode: "boolean" }).notNull().default(false),
  banReason: text("ban_reason"),
  banExpires: integer("ban_expires_at", { mode: "timestamp_ms" }),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

/** A signed-in browser. Looked up on every request (no cookie or KV cache), so deleting a row signs it out at once. */
export const session = sqliteTable(
  "session",
  {
    id: text("id").primaryKey(),
    token: text("token").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    impersonatedBy: text("impersonated_by"),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("session_user_idx").on(t.userId)],
);

/** A way to sign in for a user: the "credential" provider holds the password hash; OAuth providers hold tokens. */
export const authAccount = sqliteTable(
  "auth_account",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    providerId: text("provider_id").notNull(),
    accountId: text("account_id").notNull(),
    password: text("password"),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: integer("access_token_expires_at", { mode: "timestamp_ms" }),
    refreshTokenExpiresAt: integer("refresh_token_expires_at", { mode: "timestamp_ms" }),
    scope: text("scope"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("auth_account_user_idx").on(t.userId), index("auth_account_provider_idx").on(t.providerId, t.accountId)],
);

/** Single-use tokens with an expiry: email verification, password reset, OAuth state, passkey challenges. */
export const verification = sqliteTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("verification_identifier_idx").on(t.identifier)],
);

/** A WebAuthn credential registered by a user; `counter` is the last signature counter seen. */
export const passkey = sqliteTable(
  "passkey",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name"),
    publicKey: text("public_key").notNull(),
    credentialID: text("credential_id").notNull(),
    counter: integer("counter").notNull(),
    deviceType: text("device_type").notNull(),
    backedUp: integer("backed_up", { mode: "boolean" }).notNull(),
    transports: text("transports"),
    aaguid: text("aaguid"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("passkey_user_idx").on(t.userId), index("passkey_credential_idx").on(t.credentialID)],
);

/** A personal API key. Only the SHA-256 of the secret is stored; `prefix` is shown so users can tell keys apart. */
export const apiKey = sqliteTable(
  "api_key",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("api_key_user_idx").on(t.userId)],
);

/**
 * A billing account: a user's personal account (created with the user, in one batch) or a team.
 * Holds credits and agents. `personal_user_id` is the owner of a personal account; it becomes null when that user
 * deletes their account, so ledger rows that reference the account stay, anonymised.
 */
export const account = sqliteTable("account", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: ["personal", "team"] }).notNull(),
  name: text("name").notNull(),
  /** A team's unique, URL-safe handle; null for personal accounts. */
  slug: text("slug").unique(),
  personalUserId: text("personal_user_id")
    .unique()
    .references(() => user.id, { onDelete: "set null" }),
  deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
  /** Caps an admin raised for this account; null is the default (src/lib/agents/account-limits.ts). */
  maxAgents: integer("max_agents"),
  maxLiveWorkspaces: integer("max_live_workspaces"),
  /** A team's tool approval floor for all its agents, JSON (src/lib/agents/tool-policy.ts); '{}' is none. */
  toolPolicyFloor: text("tool_policy_floor").notNull().default("{}"),
  /** The MCP server URLs a team's agents may connect to, JSON array (src/lib/mcp/allowlist.ts); '[]' is none. */
  mcpAllowlist: text("mcp_allowlist").notNull().default("[]"),
  createdAt: createdAt(),
});

/** Who belongs to a billing account and with which role ("owner" for a personal account's user). */
export const accountMember = sqliteTable(
  "account_member",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] }), index("account_member_user_idx").on(t.userId)],
);

/**
 * The price catalog: one row per model an agent can use, with its credit rates. Amounts are integer
 * milli-credits (1 credit = 1000) per 1,000 tokens.
 */
export const model = sqliteTable("model", {
  id: text("id").primaryKey(),
  label: text("label").notNull(),
  provider: text("provider").notNull(),
  inputMillicreditsPer1k: integer("input_millicredits_per_1k").notNull(),
  outputMillicreditsPer1k: integer("output_millicredits_per_1k").notNull(),
  contextWindowTokens: integer("context_window_tokens").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  /** The model reads images: attached images reach it as image parts; otherwise it is told their name, type and size. */
  vision: integer("vision", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

/**
 * An account's cached balances per bucket, always equal to the sums of its ledger rows (changed only in the same
 * atomic batch as a ledger row), plus the credits held by open reservations.
 */
export const creditBalance = sqliteTable("credit_balance", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => account.id, { onDelete: "cascade" }),
  freeMillicredits: integer("free_millicredits").notNull().default(0),
  purchasedMillicredits: integer("purchased_millicredits").notNull().default(0),
  reservedMillicredits: integer("reserved_millicredits").notNull().default(0),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

/** One row per change of a balance. The balance is the sum of these rows. */
export const ledgerEntry = sqliteTable(
  "ledger_entry",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    bucket: text("bucket", { enum: ["free", "purchased"] }).notNull(),
    kind: text("kind", { enum: ["monthly_grant", "monthly_expiry", "purchase", "refund", "usage", "adjustment", "loop_refund"] }).notNull(),
    amountMillicredits: integer("amount_millicredits").notNull(),
    balanceAfterMillicredits: integer("balance_after_millicredits").notNull(),
    reason: text("reason").notNull(),
    agentId: text("agent_id"),
    threadId: text("thread_id"),
    modelId: text("model_id"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    sandboxMs: integer("sandbox_ms"),
    reservationId: text("reservation_id"),
    stripeSessionId: text("stripe_session_id"),
    stripeEventId: text("stripe_event_id"),
    actorUserId: text("actor_user_id"),
    // A purchase or refund names its source once: retries of the same grant find this key taken and change nothing.
    idempotencyKey: text("idempotency_key").unique(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("ledger_entry_account_idx").on(t.accountId, t.createdAt), index("ledger_entry_kind_idx").on(t.accountId, t.kind)],
);

/** Credits held for a model step or sandbox run until it is settled to its real cost or released. */
export const creditReservation = sqliteTable(
  "credit_reservation",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    amountMillicredits: integer("amount_millicredits").notNull(),
    status: text("status", { enum: ["open", "settled", "released", "expired"] }).notNull(),
    // Set by the one settle or release that closes the reservation; later statements of its batch check it.
    closeToken: text("close_token"),
    actualMillicredits: integer("actual_millicredits"),
    agentId: text("agent_id"),
    threadId: text("thread_id"),
    modelId: text("model_id"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("credit_reservation_open_idx").on(t.status, t.expiresAt), index("credit_reservation_account_idx").on(t.accountId)],
);

/** The monthly free allowance, granted at most once per account and calendar month (UTC) by this primary key. */
export const monthlyAllowance = sqliteTable(
  "monthly_allowance",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    month: text("month").notNull(),
    grantToken: text("grant_token").notNull(),
    grantedAt: integer("granted_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.month] })],
);

/**
 * An agent: listed, permissioned and administered from D1; its memory, threads and workspace live in its
 * Durable Objects. `is_default` marks the agent every verified user gets (one per account).
 */
export const agent = sqliteTable(
  "agent",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    modelId: text("model_id").notNull(),
    instructions: text("instructions").notNull().default(""),
    preset: text("preset").notNull().default("general"),
    maxSteps: integer("max_steps").notNull().default(25),
    /** The loop breaker's K: this many identical tool calls or errors in a row pause the turn (src/agent/loop-breaker.ts). */
    loopLimit: integer("loop_limit").notNull().default(3),
    /** Allow, Ask or Block per tool, JSON with only the tools that are not Allow (src/lib/agents/tool-policy.ts). */
    toolPolicy: text("tool_policy").notNull().default("{}"),
    /** The most one turn may be charged; a turn stops when it reaches it (src/agent/metering.ts). Null: no cap. */
    turnCapMillicredits: integer("turn_cap_millicredits"),
    /** A task's credit budget when none is given, and the most one may be given. Null: the platform's default, no ceiling. */
    taskBudgetMillicredits: integer("task_budget_millicredits"),
    isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
    createdByUserId: text("created_by_user_id"),
    createdAt: createdAt(),
    lastActiveAt: integer("last_active_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("agent_account_idx").on(t.accountId, t.createdAt),
    uniqueIndex("agent_one_default_per_account").on(t.accountId).where(sql`is_default = 1`),
  ],
);

/**
 * A paid Stripe Checkout session and the credits it bought. Written by the webhook after the grant (both are
 * idempotent, so a retried event completes a half-processed one). Refunds move `refund_target_millicredits` up to
 * the refunded share; `refunded_millicredits` is what could actually be removed.
 */
export const creditPurchase = sqliteTable(
  "credit_purchase",
  {
    stripeSessionId: text("stripe_session_id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    packageId: text("package_id").notNull(),
    creditsMillicredits: integer("credits_millicredits").notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    stripePaymentIntentId: text("stripe_payment_intent_id"),
    stripeCustomerId: text("stripe_customer_id"),
    receiptUrl: text("receipt_url"),
    refundTargetMillicredits: integer("refund_target_millicredits").notNull().default(0),
    refundedMillicredits: integer("refunded_millicredits").notNull().default(0),
    // Set by the one refund batch that raised the target; its later statements check it.
    refundToken: text("refund_token"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("credit_purchase_account_idx").on(t.accountId, t.createdAt),
    index("credit_purchase_payment_intent_idx").on(t.stripePaymentIntentId),
  ],
);

/** Every Stripe webhook event we processed, with what it did (`granted`, `duplicate`, `refunded`, `ignored`). */
export const stripeEvent = sqliteTable("stripe_event", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  accountId: text("account_id"),
  outcome: text("outcome").notNull(),
  receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
});

/**
 * Where each agent schedule is next due, mirrored from the agent's Durable Object (which owns the schedule) so the
 * cron trigger can find and wake agents whose schedules are overdue (catch-up after downtime).
 */
export const agentScheduleDue = sqliteTable(
  "agent_schedule_due",
  {
    scheduleId: text("schedule_id").primaryKey(),
    agentId: text("agent_id")
      .notNull()
      .references(() => agent.id, { onDelete: "cascade" }),
    nextRunAt: integer("next_run_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("agent_schedule_due_next_idx").on(t.nextRunAt)],
);

/**
 * How much of a workspace's background-process CPU time has been billed: sandboxd counts it up (it only grows) and
 * the cron bills the difference (src/lib/billing/background-compute.ts). The workspace id is the agent id.
 */
export const sandboxMeter = sqliteTable("sandbox_meter", {
  agentId: text("agent_id")
    .primaryKey()
    .references(() => agent.id, { onDelete: "cascade" }),
  billedCpuMs: integer("billed_cpu_ms").notNull().default(0),
  /** The reservation held ahead for the workspace's running processes (JSON of a ledger Reservation), if any. */
  heldReservation: text("held_reservation"),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

/** A team's custom role: a name and the permissions (names from src/lib/teams/permissions.ts) it grants. */
export const teamRole = sqliteTable(
  "team_role",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    permissionsJson: text("permissions_json").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("team_role_account_name_idx").on(t.accountId, t.name)],
);

/** An invitation to join a team by email: single use, valid until `expires_at`; only the token's hash is stored. */
export const teamInvitation = sqliteTable(
  "team_invitation",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedByUserId: text("invited_by_user_id").references(() => user.id, { onDelete: "set null" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    acceptedAt: integer("accepted_at", { mode: "timestamp_ms" }),
    acceptedByUserId: text("accepted_by_user_id").references(() => user.id, { onDelete: "set null" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("team_invitation_account_idx").on(t.accountId, t.createdAt)],
);

/** What happened in a team and who did it (invitations, removals, role changes, purchases, agent deletions). */
export const teamAuditEvent = sqliteTable(
  "team_audit_event",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => account.id, { onDelete: "cascade" }),
    actorUserId: text("actor_user_id").references(() => user.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    detailJson: text("detail_json").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("team_audit_event_account_idx").on(t.accountId, t.createdAt)],
);

/** Every action a platform admin took (ban, role change, credit adjustment, model change, impersonation...). */
export const adminAudit = sqliteTable(
  "admin_audit",
  {
    id: text("id").primaryKey(),
    actorUserId: text("actor_user_id").references(() => user.id, { onDelete: "set null" }),
    actorEmail: text("actor_email").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    detailJson: text("detail_json").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("admin_audit_created_idx").on(t.createdAt), index("admin_audit_target_idx").on(t.targetType, t.targetId)],
);

/**
 * An inbound trigger of an agent: a webhook URL (`/api/webhooks/<id>`, requests signed with its secret, sealed here
 * and shown once) or an email address (`<id>@<inbound domain>`). Each delivery starts a task of the agent, billed
 * to the agent's account. Revoking deletes the row, so the URL or address stops at once.
 */
export const agentTrigger = sqliteTable(
  "agent_trigger",
  {
    id: text("id").primaryKey(),
    agentId: text("agent_id")
      .notNull()
      .references(() => agent.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["webhook", "email"] }).notNull(),
    name: text("name").notNull(),
    secretSealed: text("secret_sealed"),
    createdByUserId: text("created_by_user_id").notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("agent_trigger_agent_idx").on(t.agentId, t.createdAt)],
);

/**
 * One accepted delivery of a trigger, keyed by what makes it unique (a webhook's signature, an email's Message-ID),
 * so a replay or a redelivery starts nothing. An email delivery keeps where its report goes, and when it went.
 */
export const triggerDelivery = sqliteTable(
  "trigger_delivery",
  {
    triggerId: text("trigger_id")
      .notNull()
      .references(() => agentTrigger.id, { onDelete: "cascade" }),
    deliveryKey: text("delivery_key").notNull(),
    taskId: text("task_id"),
    replyTo: text("reply_to"),
    replySubject: text("reply_subject"),
    inReplyTo: text("in_reply_to"),
    repliedAt: integer("replied_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.triggerId, t.deliveryKey] }), index("trigger_delivery_task_idx").on(t.taskId)],
);

/**
 * A read-only link to a snapshot of one thread's messages as they were when it was shared (secrets redacted). The
 * token in the link is the only key; `revoked_at` ends the link at once. Deleting the agent removes its shares.
 */
export const threadShare = sqliteTable(
  "thread_share",
  {
    id: text("id").primaryKey(),
    token: text("token").notNull().unique(),
    agentId: text("agent_id")
      .notNull()
      .references(() => agent.id, { onDelete: "cascade" }),
    threadId: text("thread_id").notNull(),
    accountId: text("account_id").notNull(),
    createdByUserId: text("created_by_user_id").notNull(),
    title: text("title").notNull(),
    /** The shared messages: JSON of the active path's UI messages at share time. */
    snapshot: text("snapshot").notNull(),
    messageCount: integer("message_count").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("thread_share_thread_idx").on(t.agentId, t.threadId, t.createdAt)],
);

// OAuth 2.1 authorization server for MCP clients (Better Auth's oauth-provider plugin, src/lib/auth/oauth-server.ts).
// JS keys are the plugin's field names; lists and JSON objects are stored as JSON text, as the adapter writes them.

/** A client registered to sign users in: an MCP client by dynamic registration, with its redirect URIs. */
export const oauthClient = sqliteTable(
  "oauth_client",
  {
    id: text("id").primaryKey(),
    clientId: text("client_id").notNull().unique(),
    clientSecret: text("client_secret"),
    clientDiscoveryId: text("client_discovery_id"),
    disabled: integer("disabled", { mode: "boolean" }).default(false),
    skipConsent: integer("skip_consent", { mode: "boolean" }),
    enableEndSession: integer("enable_end_session", { mode: "boolean" }),
    subjectType: text("subject_type"),
    scopes: text("scopes"),
    clientCredentialsScopes: text("client_credentials_scopes"),
    userId: text("user_id").references(() => user.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
    name: text("name"),
    uri: text("uri"),
    icon: text("icon"),
    contacts: text("contacts"),
    tos: text("tos"),
    policy: text("policy"),
    softwareId: text("software_id"),
    softwareVersion: text("software_version"),
    softwareStatement: text("software_statement"),
    redirectUris: text("redirect_uris").notNull(),
    postLogoutRedirectUris: text("post_logout_redirect_uris"),
    backchannelLogoutUri: text("backchannel_logout_uri"),
    backchannelLogoutSessionRequired: integer("backchannel_logout_session_required", { mode: "boolean" }),
    tokenEndpointAuthMethod: text("token_endpoint_auth_method"),
    applicationType: text("application_type"),
    jwks: text("jwks"),
    jwksUri: text("jwks_uri"),
    grantTypes: text("grant_types"),
    responseTypes: text("response_types"),
    requirePKCE: integer("require_pkce", { mode: "boolean" }),
    dpopBoundAccessTokens: integer("dpop_bound_access_tokens", { mode: "boolean" }).default(false),
    referenceId: text("reference_id"),
    metadata: text("metadata"),
  },
  (t) => [index("oauth_client_user_idx").on(t.userId)],
);

/** A protected resource tokens are issued for (the `/mcp` endpoint of each origin the app answers on). */
export const oauthResource = sqliteTable("oauth_resource", {
  id: text("id").primaryKey(),
  identifier: text("identifier").notNull().unique(),
  name: text("name").notNull(),
  accessTokenTtl: integer("access_token_ttl"),
  refreshTokenTtl: integer("refresh_token_ttl"),
  signingAlgorithm: text("signing_algorithm"),
  signingKeyId: text("signing_key_id"),
  allowedScopes: text("allowed_scopes"),
  customClaims: text("custom_claims"),
  dpopBoundAccessTokensRequired: integer("dpop_bound_access_tokens_required", { mode: "boolean" }).default(false),
  disabled: integer("disabled", { mode: "boolean" }).default(false),
  createdAt: integer("created_at", { mode: "timestamp_ms" }),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  policyVersion: integer("policy_version").default(1),
  metadata: text("metadata"),
});

/** Which clients may ask for which resources (consulted only when per-client resources are enforced). */
export const oauthClientResource = sqliteTable(
  "oauth_client_resource",
  {
    id: text("id").primaryKey(),
    clientId: text("client_id")
      .notNull()
      .references(() => oauthClient.clientId, { onDelete: "cascade" }),
    resourceId: text("resource_id")
      .notNull()
      .references(() => oauthResource.identifier, { onDelete: "cascade" }),
    metadata: text("metadata"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("oauth_client_resource_pair_idx").on(t.clientId, t.resourceId),
    index("oauth_client_resource_resource_idx").on(t.resourceId),
  ],
);

/** A refresh token (scope offline_access); only its hash is stored. */
export const oauthRefreshToken = sqliteTable(
  "oauth_refresh_token",
  {
    id: text("id").primaryKey(),
    token: text("token").notNull().unique(),
    clientId: text("client_id")
      .notNull()
      .references(() => oauthClient.clientId, { onDelete: "cascade" }),
    sessionId: text("session_id").references(() => session.id, { onDelete: "set null" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    referenceId: text("reference_id"),
    authorizationCodeId: text("authorization_code_id"),
    resources: text("resources"),
    requestedUserInfoClaims: text("requested_user_info_claims"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }),
    revoked: integer("revoked_at", { mode: "timestamp_ms" }),
    rotatedAt: integer("rotated_at", { mode: "timestamp_ms" }),
    rotationReplayResponse: text("rotation_replay_response"),
    rotationReplayExpiresAt: integer("rotation_replay_expires_at", { mode: "timestamp_ms" }),
    authTime: integer("auth_time", { mode: "timestamp_ms" }),
    confirmation: text("confirmation"),
    scopes: text("scopes").notNull(),
  },
  (t) => [index("oauth_refresh_token_client_idx").on(t.clientId), index("oauth_refresh_token_user_idx").on(t.userId)],
);

/** An opaque access token; only its SHA-256 is stored (src/lib/auth/oauth-tokens.ts looks callers up by it). */
export const oauthAccessToken = sqliteTable(
  "oauth_access_token",
  {
    id: text("id").primaryKey(),
    token: text("token").unique(),
    clientId: text("client_id")
      .notNull()
      .references(() => oauthClient.clientId, { onDelete: "cascade" }),
    sessionId: text("session_id").references(() => session.id, { onDelete: "set null" }),
    userId: text("user_id").references(() => user.id, { onDelete: "cascade" }),
    referenceId: text("reference_id"),
    authorizationCodeId: text("authorization_code_id"),
    resources: text("resources"),
    requestedUserInfoClaims: text("requested_user_info_claims"),
    refreshId: text("refresh_id").references(() => oauthRefreshToken.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }),
    revoked: integer("revoked_at", { mode: "timestamp_ms" }),
    confirmation: text("confirmation"),
    scopes: text("scopes").notNull(),
  },
  (t) => [
    index("oauth_access_token_client_idx").on(t.clientId),
    index("oauth_access_token_user_idx").on(t.userId),
    index("oauth_access_token_refresh_idx").on(t.refreshId),
  ],
);

/** A user's consent to a client for some scopes and resources; a new request within them skips the consent page. */
export const oauthConsent = sqliteTable(
  "oauth_consent",
  {
    id: text("id").primaryKey(),
    clientId: text("client_id")
      .notNull()
      .references(() => oauthClient.clientId, { onDelete: "cascade" }),
    userId: text("user_id").references(() => user.id, { onDelete: "cascade" }),
    referenceId: text("reference_id"),
    resources: text("resources"),
    requestedUserInfoClaims: text("requested_user_info_claims"),
    scopes: text("scopes").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("oauth_consent_client_user_idx").on(t.clientId, t.userId)],
);

/** A used `private_key_jwt` assertion id, kept until it expires so it cannot be replayed. */
export const oauthClientAssertion = sqliteTable("oauth_client_assertion", {
  id: text("id").primaryKey(),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
});

/**
 * An MCP server added to an agent (src/lib/mcp/connectors.ts). Its tools reach the model as `<name>__<tool>`.
 * `auth` says what a user needs to use it: nothing, their own header token, or their own OAuth grant.
 */
export const mcpConnector = sqliteTable(
  "mcp_connector",
  {
    id: text("id").primaryKey(),
    agentId: text("agent_id")
      .notNull()
      .references(() => agent.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    url: text("url").notNull(),
    auth: text("auth", { enum: ["none", "header", "oauth"] }).notNull(),
    /** For `header`: the header each user's token goes in (Authorization gets `Bearer <token>`). */
    headerName: text("header_name"),
    createdByUserId: text("created_by_user_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("mcp_connector_agent_name_idx").on(t.agentId, t.name)],
);

/**
 * One user's credential for one connector, sealed with SECRETS_KEY (src/lib/agents/secrets.ts): never shown again and
 * never used for anyone else's turn. An OAuth flow in progress keeps its state and PKCE verifier here, sealed too.
 */
export const mcpConnection = sqliteTable(
  "mcp_connection",
  {
    connectorId: text("connector_id")
      .notNull()
      .references(() => mcpConnector.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** The sealed credential (JSON: a header token, or OAuth tokens and client registration); null until connected. */
    credentialSealed: text("credential_sealed"),
    /** The sealed state of an OAuth flow in progress (state, PKCE verifier, client registration). */
    pendingSealed: text("pending_sealed"),
    /** The OAuth `state` of the flow in progress, to find this row from the callback. */
    pendingState: text("pending_state").unique(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectorId, t.userId] })],
);
