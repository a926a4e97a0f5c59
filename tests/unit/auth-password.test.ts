import { describe, expect, it } from "vitest";
import { hashIterations, hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "../../src/lib/auth/password.ts";

describe("password hashing", () => {
  it("uses PBKDF2-SHA256 within the Workers production cap of 100,000 iterations", async () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    const hash = await hashPassword("correct horse battery");
    expect(hash.startsWith("pbkdf2-sha256$")).toBe(true);
    expect(hashIterations(hash)).toBeLessThanOrEqual(100_000);
    expect(hashIterations(hash)).toBeGreaterThanOrEqual(100_000);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword({ hash, password: "correct horse battery" })).toBe(true);
    expect(await verifyPassword({ hash, password: "correct horse batterY" })).toBe(false);
    expect(await verifyPassword({ hash, password: "" })).toBe(false);
  });

  it("salts every hash, so the same password hashes differently", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("refuses a stored hash that asks for more iterations than Workers allow, or is malformed", async () => {
    const hash = await hashPassword("pw123456");
    const tooSlow = hash.replace("$100000$", "$600000$");
    expect(await verifyPassword({ hash: tooSlow, password: "pw123456" })).toBe(false);
    expect(await verifyPassword({ hash: "bcrypt$x", password: "pw123456" })).toBe(false);
    expect(await verifyPassword({ hash: "", password: "pw123456" })).toBe(false);
  });
});
