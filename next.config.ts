import type { NextConfig } from "next";
import pkg from "./package.json" with { type: "json" };

const nextConfig: NextConfig = {
  poweredByHeader: false,
  env: { NEXT_PUBLIC_APP_VERSION: pkg.version },
  // Next checks only the app's sources; `npm run typecheck` checks everything (scripts, sandboxd, tests).
  typescript: { tsconfigPath: "tsconfig.next.json" },
};

export default nextConfig;
