import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch() * 1000)`);

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
