import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The signing and encryption secrets of one local state directory: made at random on first use, then kept. */
export interface DevelopmentSecrets {
  BETTER_AUTH_SECRET: string;
  SECRETS_KEY: string;
}

/**
 * The secrets `npm start` hands the Worker when the environment sets none: random per state directory, kept beside
 * the state in a file only this user can read, so sessions and sealed agent secrets survive a restart and nobody can
 * forge them from a constant published with the code.
 */
export function developmentSecrets(file: string): DevelopmentSecrets {
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    const kept = JSON.parse(readFileSync(file, "utf8")) as Partial<DevelopmentSecrets>;
    if (kept.BETTER_AUTH_SECRET && kept.SECRETS_KEY) return kept as DevelopmentSecrets;
  }
  const made: DevelopmentSecrets = { BETTER_AUTH_SECRET: randomBytes(32).toString("hex"), SECRETS_KEY: randomBytes(32).toString("base64") };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  return made;
}
