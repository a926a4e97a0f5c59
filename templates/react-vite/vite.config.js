import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// allowedHosts: the preview is served on its own host name (<port>-<sandbox>-<token>.<domain>).
export default defineConfig({
  plugins: [react()],
  server: { host: "0.0.0.0", port: 8080, strictPort: true, allowedHosts: true },
});
