import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { ExposedPort } from "../src/sandbox/types.ts";

/** Preview tokens: 24 of [a-z0-9] (about 124 bits), so `<port>-<20-char id>-<token>` stays within a 63-char DNS label. */
export const PREVIEW_TOKEN_LENGTH = 24;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function previewToken(): string {
  let token = "";
  while (token.length < PREVIEW_TOKEN_LENGTH) {
    // 252 = 7 * 36: bytes above it are dropped so every character is equally likely.
    for (const byte of randomBytes(32)) if (byte < 252 && token.length < PREVIEW_TOKEN_LENGTH) token += ALPHABET[byte % 36];
  }
  return token;
}

/** The ports a workspace exposes for previews, each with its own token; kept in ports.json so restarts keep URLs. */
export class PortTable {
  readonly #file: string;
  #ports: Map<number, ExposedPort>;

  constructor(file: string) {
    this.#file = file;
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ExposedPort[]) : [];
    this.#ports = new Map(saved.map((p) => [p.port, p]));
  }

  list(): ExposedPort[] {
    return [...this.#ports.values()].sort((a, b) => a.port - b.port);
  }

  /** Exposes a port; exposing it again keeps its token, so earlier preview URLs keep working. */
  expose(port: number): ExposedPort {
    const existing = this.#ports.get(port);
    if (existing) return existing;
    const exposed: ExposedPort = { port, token: previewToken(), exposedAt: new Date().toISOString() };
    this.#ports.set(port, exposed);
    this.#save();
    return exposed;
  }

  unexpose(port: number): boolean {
    const removed = this.#ports.delete(port);
    if (removed) this.#save();
    return removed;
  }

  /** True when `port` is exposed with exactly this token (compared in constant time). */
  allows(port: number, token: string): boolean {
    const exposed = this.#ports.get(port);
    if (!exposed || token.length !== exposed.token.length) return false;
    return timingSafeEqual(Buffer.from(token), Buffer.from(exposed.token));
  }

  #save(): void {
    const temp = `${this.#file}.tmp`;
    writeFileSync(temp, JSON.stringify(this.list(), null, 1), { mode: 0o600 });
    renameSync(temp, this.#file);
  }
}
