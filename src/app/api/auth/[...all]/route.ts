import { withBackgroundTasks } from "@/lib/auth/background.ts";
import { guardAuthRequest } from "@/lib/auth/guard.ts";
import { authFor } from "@/operations/auth.ts";
import { AppError } from "@/lib/errors.ts";
import { getEnv, waitUntil } from "@/lib/http/cloudflare-env.ts";
import { errorResponse } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** Better Auth behind our guard (Origin check, validation, rate limits). */
async function authHandler(request: Request): Promise<Response> {
  const env = getEnv();
  try {
    const guarded = await guardAuthRequest(request, env);
    return await withBackgroundTasks(waitUntil, () => authFor(env, guarded).handler(guarded));
  } catch (error) {
    const response = errorResponse(error);
    if (!(error instanceof AppError)) return response;
    // Better Auth's client reads `message` and `code` at the top level; our API clients read `error`.
    const body = (await response.json()) as { error: { code: string; message: string } };
    return Response.json(
      { ...body, code: body.error.code, message: body.error.message },
      { status: response.status, headers: response.headers },
    );
  }
}

export const GET = authHandler;
export const POST = authHandler;
