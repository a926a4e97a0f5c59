import type { Env } from "../env.ts";
import { cloudflareSandboxFromEnv } from "./cloudflare.ts";
import { LocalSandbox } from "./local.ts";
import { SandboxError, type Sandbox } from "./types.ts";

/** The sandbox backend this Worker uses: sandboxd locally (default), the Cloudflare container in production. */
export function sandboxFor(env: Pick<Env, "SANDBOX_BACKEND" | "SANDBOXD_URL" | "SANDBOXD_SECRET" | "APP_URL">): Sandbox {
  const backend = env.SANDBOX_BACKEND || "sandboxd";
  if (backend === "sandboxd") return LocalSandbox.fromEnv(env);
  if (backend === "cloudflare") return cloudflareSandboxFromEnv(env);
  throw new SandboxError("not_configured", `SANDBOX_BACKEND=${backend} is not available in this build`, 503);
}
