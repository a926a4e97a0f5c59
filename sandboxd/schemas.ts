import { z } from "zod";
import { workspaceIdPattern } from "./paths.ts";

/** Largest file content accepted or returned in one call (decoded bytes). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Largest request body: a MAX_FILE_BYTES file as base64 plus room for the JSON around it. */
export const MAX_BODY_BYTES = Math.ceil((MAX_FILE_BYTES * 4) / 3) + 64 * 1024;

const noNul = (s: string) => !s.includes("\0");
const path = z.string().min(1).max(4096).refine(noNul, "must not contain NUL bytes");
const optionalPath = z.string().max(4096).refine(noNul, "must not contain NUL bytes").optional();
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "environment variable names are letters, digits and _");
const env = z
  .record(
    envName,
    z
      .string()
      .max(128 * 1024)
      .refine(noNul, "must not contain NUL bytes"),
  )
  .optional();
const command = z.union([
  z
    .string()
    .min(1)
    .max(256 * 1024)
    .refine(noNul, "must not contain NUL bytes"),
  z
    .array(
      z
        .string()
        .max(128 * 1024)
        .refine(noNul, "must not contain NUL bytes"),
    )
    .min(1)
    .max(4096),
]);
const timeoutMs = z
  .number()
  .int()
  .min(1)
  .max(24 * 60 * 60 * 1000)
  .optional();

export const workspaceId = z.string().regex(workspaceIdPattern, "workspace ids are 1-64 letters, digits, _ or -");

export const createWorkspace = z.strictObject({
  network: z.boolean().optional(),
  /** The account the workspace belongs to and its cap on live workspaces (sandboxd/activity.ts). */
  group: z.strictObject({ id: z.string().min(1).max(200), maxLive: z.number().int().min(1).max(100_000) }).optional(),
  limits: z
    .strictObject({
      timeoutMs: z
        .number()
        .int()
        .min(100)
        .max(24 * 60 * 60 * 1000)
        .optional(),
      memoryMiB: z
        .number()
        .int()
        .min(16)
        .max(256 * 1024)
        .optional(),
      pids: z.number().int().min(8).max(1_000_000).optional(),
      cpus: z.number().min(0.05).max(1024).optional(),
      diskMiB: z
        .number()
        .int()
        .min(16)
        .max(1024 * 1024)
        .optional(),
    })
    .optional(),
});

/** A template's dependencies from the shared store, into `dir/node_modules`. */
export const templateDeps = z.strictObject({ template: z.string().min(1).max(100), dir: path });

export const updateWorkspace = z.strictObject({ network: z.boolean() });

export const stopWorkspace = z.strictObject({ closePreviews: z.boolean().optional() });

export const exec = z.strictObject({
  command,
  cwd: optionalPath,
  env,
  timeoutMs,
  stdin: z.string().max(MAX_FILE_BYTES).optional(),
});

export const runCode = z.strictObject({
  language: z.enum(["python", "javascript"]),
  code: z.string().max(MAX_FILE_BYTES).refine(noNul, "must not contain NUL bytes"),
  timeoutMs,
});

export const readFile = z.strictObject({ path, encoding: z.enum(["utf8", "base64"]).default("utf8") });
export const writeFile = z.strictObject({
  path,
  content: z.string(),
  encoding: z.enum(["utf8", "base64"]).default("utf8"),
});
export const listFiles = z.strictObject({ path: optionalPath, recursive: z.boolean().optional() });
export const mkdir = z.strictObject({ path, recursive: z.boolean().optional() });
export const deleteFile = z.strictObject({ path, recursive: z.boolean().optional() });
export const moveFile = z.strictObject({ from: path, to: path, overwrite: z.boolean().optional() });
export const exists = z.strictObject({ path });

export const startProcess = z.strictObject({ command, cwd: optionalPath, env });
export const stopAllProcesses = z.strictObject({ reason: z.string().min(1).max(500).refine(noNul) });

const gitHost = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:\d{1,5})?$/, "a host is a lowercase name or address, with :port if not the default");
const credentials = z
  .strictObject({
    username: z.string().max(1024),
    password: z.string().max(16 * 1024),
    hosts: z.array(gitHost).min(1).max(20),
  })
  .optional();
const gitRef = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s\0~^:?*[\\-][^\s\0~^:?*[\\]*$/, "not a valid git ref name");

export const gitClone = z.strictObject({
  url: z
    .string()
    .min(1)
    .max(4096)
    .refine(noNul)
    .refine((u) => !u.startsWith("-"), "must not start with -"),
  dir: optionalPath,
  branch: gitRef.optional(),
  depth: z.number().int().min(1).max(1_000_000).optional(),
  credentials,
  env,
  timeoutMs,
});
export const gitDir = z.strictObject({ dir: path, staged: z.boolean().optional() });
export const gitCommit = z.strictObject({
  dir: path,
  message: z
    .string()
    .min(1)
    .max(64 * 1024)
    .refine(noNul),
  author: z.strictObject({ name: z.string().min(1).max(256), email: z.string().min(1).max(256) }).optional(),
  all: z.boolean().optional(),
});
export const gitPush = z.strictObject({
  dir: path,
  remote: z
    .string()
    .min(1)
    .max(4096)
    .refine(noNul)
    .refine((r) => !r.startsWith("-"), "must not start with -")
    .optional(),
  branch: gitRef.optional(),
  credentials,
  env,
  timeoutMs,
});

export const checkpointId = z.string().regex(/^ck-[0-9a-z]{1,12}-[0-9a-f]{8}$/, "is not a checkpoint id");
const label = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only");
export const createCheckpoint = z.strictObject({
  kind: z.enum(["before-turn", "after-turn", "manual"]).default("manual"),
  threadId: label.optional(),
  messageId: label.optional(),
  keep: z.number().int().min(1).max(200).optional(),
});
export const checkpointTarget = z.union([z.literal("now"), checkpointId]);

export const exposePort = z.strictObject({ port: z.number().int().min(1).max(65535) });

export const archive = z.strictObject({ path: optionalPath.default("."), format: z.enum(["tar.gz", "zip"]).default("tar.gz") });
