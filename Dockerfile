# The sandbox image for production workspaces (@cloudflare/sandbox). Its version must match the npm package's.
# `wrangler deploy --env production` builds it (Docker must be running) and pushes it to Cloudflare's registry.
FROM docker.io/cloudflare/sandbox:0.12.10

# What agents use in a workspace beyond the base image (Node, Python, git): previews of Vite/Next dev servers need
# nothing more; build tools for native npm modules do.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

# Template dev servers listen here (3000 is the sandbox's own control port).
EXPOSE 8080
