import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { account } from "../../db/schema.ts";

/**
 * A team's MCP allow-list: the server URLs its agents may connect to, chosen by its owners and admins
 * (team.settings). A team starts with none allowed; a personal account has no list (its owner decides alone).
 * A connector is allowed when its URL is listed, or lies under a listed URL (`https://mcp.example.com` allows
 * every path of that origin).
 */

/** A URL as compared: origin and path, without a trailing slash, query or fragment. */
export function normalizeServerUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

export const AllowlistBody = z.object({
  servers: z
    .array(
      z
        .string()
        .trim()
        .url("each entry is a server URL")
        .refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), "an MCP server URL starts with https:// or http://")
        .transform((url, ctx) => {
          if (URL.canParse(url)) return normalizeServerUrl(url);
          ctx.addIssue({ code: "custom", message: "each entry is a server URL" });
          return z.NEVER;
        }),
    )
    .max(100),
});

export function readAllowlist(stored: string | null | undefined): string[] {
  try {
    const parsed = z.array(z.string()).safeParse(JSON.parse(stored ?? "[]"));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** The allow-list that governs an account's agents: null for a personal account (no list applies). */
export async function allowlistOf(db: Db, accountId: string): Promise<string[] | null> {
  const row = await db.select({ kind: account.kind, list: account.mcpAllowlist }).from(account).where(eq(account.id, accountId)).get();
  if (row?.kind !== "team") return null;
  return readAllowlist(row.list);
}

export async function setAllowlist(db: Db, teamId: string, servers: string[]): Promise<string[]> {
  const unique = [...new Set(servers)];
  await db
    .update(account)
    .set({ mcpAllowlist: JSON.stringify(unique) })
    .where(and(eq(account.id, teamId), eq(account.kind, "team")));
  return unique;
}

export function isServerAllowed(allowlist: string[] | null, url: string): boolean {
  if (allowlist === null) return true;
  const target = normalizeServerUrl(url);
  return allowlist.some((entry) => target === entry || target.startsWith(`${entry}/`));
}
