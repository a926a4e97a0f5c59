import { z } from "zod";
import type { Env } from "../../env.ts";
import { ServiceUnavailable } from "../errors.ts";

/**
 * Agent secrets: values the owner gives an agent (a GitHub token, an API key), stored encrypted at rest with
 * AES-256-GCM under SECRETS_KEY, handed to sandboxed commands as environment variables, and redacted from
 * everything the model or a person reads.
 */

/** Names are environment variable names, so a command reads the secret as `$NAME`. */
export const SecretName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,63}$/, "a secret name is an environment variable name: A-Z, 0-9 and _, not starting with a digit");
export const SecretValue = z.string().min(1, "the value must not be empty").max(10_000);

/** Secrets the platform itself uses for git: never in a command's environment, only in the platform's own git calls. */
export const GIT_CREDENTIAL_NAMES = ["GIT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"] as const;
export const isGitCredential = (name: string) => (GIT_CREDENTIAL_NAMES as readonly string[]).includes(name);

/** The hosts a git token is sent to when none are given with it: the common forges, over HTTPS. */
export const DEFAULT_GIT_HOSTS = ["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"];

/** A host as git names it to a credential helper: a DNS name or IPv4 address, with a port when not the default. */
export const GitHost = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:\d{1,5})?$/, "a host is a name like github.com, with :port if not the default");

/** A secret with its settings: whether commands get it, and for a git token the hosts it is sent to. */
const SecretSetting = z
  .object({
    value: SecretValue,
    commands: z.boolean().optional(),
    hosts: z.array(GitHost).min(1, "give at least one host").max(20).optional(),
  })
  .strict();

export type SecretInput = { value: string; commands: boolean; hosts: string[] | null };

export const PutSecretsBody = z
  .object({ secrets: z.record(SecretName, z.union([SecretValue, SecretSetting])) })
  .refine((v) => Object.keys(v.secrets).length > 0, "nothing to store")
  .superRefine((v, ctx) => {
    for (const [name, setting] of Object.entries(v.secrets)) {
      if (typeof setting === "string") continue;
      if (isGitCredential(name) && setting.commands)
        ctx.addIssue({
          code: "custom",
          path: ["secrets", name, "commands"],
          message: `${name} is a git credential: the platform's git operations use it, commands never get it`,
        });
      if (!isGitCredential(name) && setting.hosts)
        ctx.addIssue({
          code: "custom",
          path: ["secrets", name, "hosts"],
          message: `hosts apply only to ${GIT_CREDENTIAL_NAMES.join(", ")}`,
        });
    }
  })
  .transform(({ secrets }) => ({
    secrets: Object.fromEntries(
      Object.entries(secrets).map(([name, setting]): [string, SecretInput] => {
        const given = typeof setting === "string" ? { value: setting } : setting;
        return [
          name,
          {
            value: given.value,
            commands: isGitCredential(name) ? false : (given.commands ?? true),
            hosts: isGitCredential(name) ? (given.hosts ?? null) : null,
          },
        ];
      }),
    ),
  }));
export const DeleteSecretBody = z.object({ name: SecretName });

/** The test suite's own Workers only; everywhere else a SECRETS_KEY is required (npm start makes one per state dir). */
const TEST_KEY = "netm8-test-suite-secrets-key-never-used-outside-tests";

export interface EncryptedSecret {
  name: string;
  /** base64 of the 12-byte IV followed by the AES-GCM ciphertext and tag. */
  sealed: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

async function secretsKey(env: Pick<Env, "SECRETS_KEY" | "ENVIRONMENT">): Promise<CryptoKey> {
  const material = env.SECRETS_KEY || (env.ENVIRONMENT === "test" ? TEST_KEY : "");
  if (!material)
    throw new ServiceUnavailable("Agent secrets are not configured: set SECRETS_KEY (npm start makes one for local development)");
  // Any string becomes a 256-bit key; a random 32-byte base64 value is what production should use.
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(material));
  return crypto.subtle.importKey("raw", digest, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** Encrypts a value; the secret's name is bound as associated data, so a sealed value cannot be moved to another name. */
export async function sealSecret(
  env: Pick<Env, "SECRETS_KEY" | "ENVIRONMENT">,
  scope: string,
  name: string,
  value: string,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = encoder.encode(`${scope}/${name}`);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: data }, await secretsKey(env), encoder.encode(value)),
  );
  const sealed = new Uint8Array(iv.length + ciphertext.length);
  sealed.set(iv);
  sealed.set(ciphertext, iv.length);
  return toBase64(sealed);
}

export async function openSecret(
  env: Pick<Env, "SECRETS_KEY" | "ENVIRONMENT">,
  scope: string,
  name: string,
  sealed: string,
): Promise<string> {
  const bytes = fromBase64(sealed);
  const data = encoder.encode(`${scope}/${name}`);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: data },
    await secretsKey(env),
    bytes.slice(12),
  );
  return decoder.decode(plain);
}

/** Values shorter than this are not redacted: replacing every "1" or "ab" would wreck output and hide nothing. */
const MIN_REDACTED_LENGTH = 4;

/** Encoded forms shorter than this are not redacted (a few base64 characters match too much). */
const MIN_ENCODED_LENGTH = 8;

function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/**
 * The base64 text a value shows inside any base64 stream: the value's bytes can start at any of three offsets in a
 * 3-byte group, and only the characters made of the value's own bits are the same whatever surrounds it.
 */
function base64Forms(bytes: Uint8Array): string[] {
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length + 2);
    padded.set(bytes, offset);
    const encoded = toBase64(padded);
    const from = Math.ceil((8 * offset) / 6);
    const to = Math.floor((8 * (offset + bytes.length)) / 6);
    const stable = encoded.slice(from, to);
    forms.push(stable, stable.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return forms;
}

/** Every form a secret value is redacted in: as it is, base64 (standard and URL-safe), hex and URL-encoded. */
export function redactedForms(value: string): string[] {
  if (value.length < MIN_REDACTED_LENGTH) return [];
  const bytes = encoder.encode(value);
  const hex = bytesToHex(bytes);
  const encoded = [...base64Forms(bytes), hex, hex.toUpperCase(), encodeURIComponent(value)].filter(
    (form) => form !== value && form.length >= MIN_ENCODED_LENGTH,
  );
  return [value, ...new Set(encoded)];
}

/** Replaces every secret value, and its base64, hex and URL-encoded forms, in a text with `[secret NAME]`. */
export function redactText(text: string, secrets: Record<string, string>): string {
  let out = text;
  const patterns = Object.entries(secrets)
    .flatMap(([name, value]) => redactedForms(value).map((form) => [name, form] as const))
    .sort((a, b) => b[1].length - a[1].length);
  for (const [name, form] of patterns) out = out.split(form).join(`[secret ${name}]`);
  return out;
}

/** Redacts every string inside a JSON-like value (tool results, process listings). */
export function redactValue<T>(value: T, secrets: Record<string, string>): T {
  if (Object.keys(secrets).length === 0) return value;
  if (typeof value === "string") return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets)) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets)])) as T;
  }
  return value;
}

/** What GET shows of a secret: its name, when it was set, and a hint that never reveals the value. */
export interface SecretInfo {
  name: string;
  updatedAt: string;
  hint: string;
  /** Whether exec, code and background processes get it as an environment variable. */
  commands: boolean;
  /** For a git token: the hosts the platform's git operations send it to. */
  hosts: string[] | null;
}

/** A decrypted secret with its settings, inside the agent's own threads and routes only. */
export interface OpenedSecret {
  value: string;
  commands: boolean;
  hosts: string[] | null;
}

/** Every value, by name: what redaction hides, whether or not commands get it. */
export function secretValues(secrets: Record<string, OpenedSecret>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([name, secret]) => [name, secret.value]));
}

/** The environment variables commands get: the secrets marked for commands, never a git credential. */
export function commandEnv(secrets: Record<string, OpenedSecret>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secrets)
      .filter(([name, secret]) => secret.commands && !isGitCredential(name))
      .map(([name, secret]) => [name, secret.value]),
  );
}

export function secretHint(value: string): string {
  return `(${value.length} characters)`;
}

/**
 * Git credentials from the agent's secrets: a token (GitHub accepts any user name with one) and the hosts it may be
 * sent to; sandboxd's credential helper gives it to git for those hosts only.
 */
export function gitCredentials(secrets: Record<string, OpenedSecret>): { username: string; password: string; hosts: string[] } | undefined {
  const name = GIT_CREDENTIAL_NAMES.find((candidate) => secrets[candidate]);
  if (!name) return undefined;
  const token = secrets[name]!;
  return { username: secrets.GIT_USERNAME?.value ?? "x-access-token", password: token.value, hosts: token.hosts ?? DEFAULT_GIT_HOSTS };
}

/**
 * Redacts a stream of text chunks: an end of a chunk that could be the start of a secret is held back until the next
 * chunk (or the end), so a secret split across two chunks is still caught, and nothing else is delayed.
 */
export function chunkRedactor(secrets: Record<string, string>): { push(chunk: string): string; flush(): string } {
  const values = Object.values(secrets).flatMap(redactedForms);
  let pending = "";
  return {
    push(chunk) {
      if (values.length === 0) return chunk;
      const text = redactText(pending + chunk, secrets);
      let keep = 0;
      for (const value of values) {
        for (let k = Math.min(value.length - 1, text.length); k > keep; k--) {
          if (text.endsWith(value.slice(0, k))) {
            keep = k;
            break;
          }
        }
      }
      pending = text.slice(text.length - keep);
      return text.slice(0, text.length - keep);
    },
    flush() {
      const rest = redactText(pending, secrets);
      pending = "";
      return rest;
    },
  };
}
