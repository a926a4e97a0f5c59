// `npm run deploy`: build, apply the remote D1 migrations, then deploy the Worker (migrations before code, so the
// new code never runs against an old schema). Needs CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) and the real
// ids in wrangler.jsonc's env.production.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildIfNeeded } from "./lib/build.ts";
import { BIN, ROOT, toolEnv } from "./lib/paths.ts";

const environment = process.env.DEPLOY_ENV ?? "production";

function wrangler(args: string[]): void {
  console.log(`$ wrangler ${args.join(" ")}`);
  const result = spawnSync(join(BIN, "wrangler"), args, { cwd: ROOT, stdio: "inherit", env: toolEnv({ CI: "true" }) });
  if (result.status !== 0) {
    console.error(`wrangler ${args[0]} failed (exit ${result.status}); nothing after this step ran.`);
    process.exit(result.status ?? 1);
  }
}

buildIfNeeded({ force: true });
wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", environment]);
wrangler(["deploy", "--env", environment]);
