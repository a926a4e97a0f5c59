import { checkHealth } from "@/operations/health.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

export const GET = handle(async () => {
  const health = await checkHealth(getEnv(), process.env.NEXT_PUBLIC_APP_VERSION ?? "dev");
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
});
