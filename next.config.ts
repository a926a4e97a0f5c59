import type { NextConfig } from "next";
import pkg from "./package.json" with { type: "json" };

const nextConfig: NextConfig = {
  poweredByHeader: false,
  env: { NEXT_PUBLIC_APP_VERSION: pkg.version },
  // The whole project is type-checked by `npm run typecheck` and a unit test; the build does not repeat it, so
  // that one unfinished file elsewhere never blocks building and running the Worker.
  typescript: { tsconfigPath: "tsconfig.next.json", ignoreBuildErrors: true },
};

export default nextConfig;
