// Import rules checked by `npm run lint:imports` (and `npm test`): src/lib holds domain rules and reaches no Durable
// Object, so src/lib and src/agent cannot import each other again (issue 19).
const { readFileSync } = require("node:fs");
const { join, relative } = require("node:path");

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const IMPORTS = /^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gm;
const RE_EXPORTS = /^\s*export\b[^;]*?\bfrom\s+["']([^"']+)["']/gm;

/** The repository-relative paths of a source file's imports or re-exports (package imports left as they are). */
function modulesNamed(file, statements) {
  const dir = join(__dirname, file, "..");
  return [...readFileSync(join(__dirname, file), "utf8").matchAll(statements)].map(([, specifier]) => {
    if (specifier.startsWith("@/")) return join("src", specifier.slice(2));
    return specifier.startsWith(".") ? relative(__dirname, join(dir, specifier)) : specifier;
  });
}

// The Durable Object class files are the modules worker.ts re-exports (the runtime finds the classes there). The
// RateLimiter may stay in src/lib as a domain helper (issue 19), so DO files under src/lib are not targets.
const doClassFiles = modulesNamed("worker.ts", RE_EXPORTS).filter((path) => path.startsWith("src/") && !path.startsWith("src/lib/"));
const forbiddenTargets = ["^src/agent/", ...doClassFiles.map((path) => `^${escapeRegExp(path)}$`)];
const isForbidden = (path) => forbiddenTargets.some((pattern) => new RegExp(pattern).test(path));

// Type-only imports count: `import type` of a DO class in src/env.ts is what closes the src/lib <-> src/agent loop.
const envDurableObjects = modulesNamed("src/env.ts", IMPORTS).filter(isForbidden);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "lib-imports-no-durable-object",
      severity: "error",
      comment: "src/lib imports nothing from src/agent and no Durable Object class file (go through the agent-operations layer).",
      from: { path: "^src/lib/" },
      to: { path: forbiddenTargets },
    },
    ...(envDurableObjects.length > 0
      ? [
          {
            name: "lib-imports-no-env-with-durable-objects",
            severity: "error",
            comment: `src/env.ts imports ${envDurableObjects.join(", ")}, so src/lib may not import src/env.ts.`,
            from: { path: "^src/lib/" },
            to: { path: "^src/env\\.ts$" },
          },
        ]
      : []),
    {
      name: "no-loop-through-agent",
      severity: "error",
      comment: "No import cycle runs from src/lib through src/agent or a Durable Object class file and back.",
      from: { path: "^src/lib/" },
      to: { circular: true, via: { path: forbiddenTargets } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.open-next|\\.next|\\.wrangler|test-results|bench/out)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["workerd", "worker", "import", "require", "node", "browser", "types", "default"],
    },
  },
};
