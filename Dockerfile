# The sandbox image for production workspaces (@cloudflare/sandbox). Its version must match the npm package's.
# `wrangler deploy --env production` builds it (Docker must be running) and pushes it to Cloudflare's registry.
FROM docker.io/cloudflare/sandbox:0.12.10

# What agents use in a workspace beyond the base image (Node, Python, git): previews of Vite/Next dev servers need
# nothing more; build tools for native npm modules do.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

# Every template's locked packages in an npm cache inside the image (the local sandboxd's shared store, in the form a
# container can use): applying a template runs `npm install --prefer-offline` against it (src/sandbox/cloudflare.ts),
# so nothing is downloaded. Rebuild the image after changing a template's lockfile.
COPY templates/nextjs/package.json templates/nextjs/package-lock.json /opt/netm8/templates/nextjs/
COPY templates/react-vite/package.json templates/react-vite/package-lock.json /opt/netm8/templates/react-vite/
COPY templates/vue-vite/package.json templates/vue-vite/package-lock.json /opt/netm8/templates/vue-vite/
RUN for t in nextjs react-vite vue-vite; do \
      (cd /opt/netm8/templates/$t && npm ci --ignore-scripts --no-audit --no-fund --cache /opt/netm8/npm-cache && rm -rf node_modules) || exit 1; \
    done \
 && chmod -R a+rwX /opt/netm8/npm-cache

# Template dev servers listen here (3000 is the sandbox's own control port).
EXPOSE 8080
