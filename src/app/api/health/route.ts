import { checkHealth } from "@/operations/health.ts";
import { APP_VERSION } from "@/lib/app-version.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

export const GET = handle(async () => {
  const health = await checkHealth(getEnv(), APP_VERSION);
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
});
