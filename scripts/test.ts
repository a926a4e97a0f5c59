// `npm test`: checks format, lint and import rules, installs missing system packages (as root), builds the Worker if
// needed, then runs every Vitest project (unit, integration against the real Worker under workerd, e2e in Chromium)
// and prints one summary line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildIfNeeded } from "./lib/build.ts";
import { BIN, ROOT, toolEnv } from "./lib/paths.ts";
import { RUNTIME_PACKAGES, TEST_PACKAGES } from "./lib/system-needs.ts";
import { ensureSystemPackages } from "./system-packages.ts";

const started = Date.now();

// Both checks run before anything slow, and both report before `npm test` stops on either.
const staticChecks = ["lint", "lint:imports"].map((script) => {
  console.log(`npm run ${script}`);
  const result = spawnSync("npm", ["run", "--silent", script], { cwd: ROOT, stdio: "inherit", env: toolEnv() });
  return { script, ok: result.status === 0 };
});
const failedChecks = staticChecks.filter((check) => !check.ok).map((check) => `npm run ${check.script}`);
if (failedChecks.length > 0) {
  console.error(`\nnpm test stopped: ${failedChecks.join(" and ")} failed (npm run format fixes formatting).`);
  process.exit(1);
}

ensureSystemPackages([...RUNTIME_PACKAGES, ...TEST_PACKAGES]);
buildIfNeeded();

const resultsDir = join(ROOT, "test-results");
const jsonReport = join(resultsDir, "vitest.json");
mkdirSync(resultsDir, { recursive: true });
rmSync(jsonReport, { force: true });

const vitest = spawnSync(
  join(BIN, "vitest"),
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${jsonReport}`, ...process.argv.slice(2)],
  { cwd: ROOT, stdio: "inherit", env: toolEnv() },
);

let summary = "no report";
if (existsSync(jsonReport)) {
  const report = JSON.parse(readFileSync(jsonReport, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    testResults: { status: string }[];
  };
  summary = `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`;
  // A file whose setup failed runs no test at all: say so, or "0 failed" would read as green.
  // (vitest's numFailedTestSuites counts describe blocks, not files.)
  const failedFiles = report.testResults.filter((file) => file.status === "failed").length;
  if (failedFiles > 0) summary += `; ${failedFiles} test ${failedFiles === 1 ? "file" : "files"} failed`;
}
console.log(`\nnpm test finished in ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`Tests: ${summary}`);
process.exit(vitest.status ?? 1);
