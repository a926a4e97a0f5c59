import { defineCloudflareConfig } from "@opennextjs/cloudflare";

const config = defineCloudflareConfig({});

// `npm run build` wraps this OpenNext build, so OpenNext must run Next's own build directly.
export default { ...config, buildCommand: "next build" };
