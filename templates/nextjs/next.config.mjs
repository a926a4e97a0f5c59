/** @type {import('next').NextConfig} */
const nextConfig = {
  // The preview is served on its own host name (<port>-<sandbox>-<token>.<domain>); let its dev assets load there.
  allowedDevOrigins: ["*.localhost", "*.*.localhost"],
};

export default nextConfig;
