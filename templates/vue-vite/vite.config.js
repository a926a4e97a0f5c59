import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

// allowedHosts: the preview is served on its own host name (<port>-<sandbox>-<token>.<domain>).
export default defineConfig({
  plugins: [vue()],
  server: { host: "0.0.0.0", port: 8080, strictPort: true, allowedHosts: true },
});
