import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, accountMember, user } from "../../db/schema.ts";

type UserRow = typeof user.$inferInsert;

/**
 * The Drizzle client Better Auth's adapter is given. Better Auth creates a user with
 * `db.insert(user).values(row).returning()`; here that one call becomes a single D1 batch (atomic: all statements
 * commit or none do, since D1 rejects BEGIN) that also creates the user's personal billing account and its owner
 * membership, and makes the user admin when they are the first user of a fresh database.
 * Every other call goes to the real client unchanged.
 */
export function withPersonalAccounts(db: Db): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === "insert") {
        return (table: Parameters<Db["insert"]>[0]) => (table === user ? insertUserWithPersonalAccount(target) : target.insert(table));
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function insertUserWithPersonalAccount(db: Db) {
  return {
    values(row: UserRow) {
      return {
        async returning() {
          const userId = row.id ?? crypto.randomUUID();
          const accountId = crypto.randomUUID();
          const results = await db.batch([
            db.insert(user).values({ ...row, id: userId }),
            db.insert(account).values({ id: accountId, kind: "personal", name: row.name, personalUserId: userId }),
            db.insert(accountMember).values({ accountId, userId, role: "owner" }),
            db
              .update(user)
              .set({ role: "admin" })
              .where(and(eq(user.id, userId), sql`(select count(*) from ${user}) = 1`)),
            db.select().from(user).where(eq(user.id, userId)),
          ]);
          return results[4];
        },
      };
    },
  };
}
