import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { devMailboxMessage } from "../../db/schema.ts";
import { extractLinks, type EmailMessage } from "./message.ts";

export interface MailboxMessage extends EmailMessage {
  id: string;
  links: string[];
  createdAt: string;
}

/** Stores a message in the local mailbox (the development transport). */
export async function storeInMailbox(db: Db, message: EmailMessage): Promise<MailboxMessage> {
  const row = {
    id: crypto.randomUUID(),
    toAddress: message.to.toLowerCase(),
    subject: message.subject,
    text: message.text,
    html: message.html,
    linksJson: JSON.stringify(extractLinks(message)),
    createdAt: new Date(),
  };
  await db.insert(devMailboxMessage).values(row);
  return toMailboxMessage(row);
}

/** The newest messages first, optionally only those sent to one address. */
export async function listMailbox(db: Db, to?: string, limit = 50): Promise<MailboxMessage[]> {
  const rows = await db
    .select()
    .from(devMailboxMessage)
    .where(to ? and(eq(devMailboxMessage.toAddress, to.toLowerCase())) : undefined)
    .orderBy(desc(devMailboxMessage.createdAt))
    .limit(limit);
  return rows.map(toMailboxMessage);
}

function toMailboxMessage(row: typeof devMailboxMessage.$inferSelect): MailboxMessage {
  return {
    id: row.id,
    to: row.toAddress,
    subject: row.subject,
    text: row.text,
    html: row.html,
    links: JSON.parse(row.linksJson) as string[],
    createdAt: row.createdAt.toISOString(),
  };
}
