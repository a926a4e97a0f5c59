import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

export type SystemPackagesResult = {
  installed: string[];
  missing: string[];
};

function isInstalled(name: string): boolean {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
  const result = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
  return result.status === 0 && result.stdout.includes("install ok installed");
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed with exit code ${result.status ?? result.signal}`);
  }
}

let aptUpdated = false;

const packageName = /^[a-z0-9][a-z0-9+.-]+$/;

/** Installs the Debian packages that are missing (apt-get, once updated) when root; otherwise says what to run. */
export function ensureSystemPackages(names: string[]): SystemPackagesResult {
  for (const name of names) {
    if (!packageName.test(name)) throw new Error(`not a Debian package name: ${JSON.stringify(name)}`);
  }
  const missing = names.filter((name) => !isInstalled(name));
  if (missing.length === 0) return { installed: [], missing: [] };

  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) {
    console.error(
      `[system-packages] missing Debian packages: ${missing.join(", ")}. ` +
        `Install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}`,
    );
    return { installed: [], missing };
  }

  console.error(`[system-packages] installing ${missing.join(", ")}`);
  if (!aptUpdated) {
    run("apt-get", ["update"]);
    aptUpdated = true;
  }
  run("apt-get", ["install", "-y", "--no-install-recommends", ...missing]);
  const stillMissing = missing.filter((name) => !isInstalled(name));
  if (stillMissing.length > 0) {
    console.error(`[system-packages] still missing after apt-get install: ${stillMissing.join(", ")}`);
  }
  return { installed: missing.filter((name) => !stillMissing.includes(name)), missing: stillMissing };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const names = process.argv.slice(2);
  if (names.length === 0) {
    console.error("usage: node scripts/system-packages.ts <debian-package>...");
    process.exit(2);
  }
  try {
    const { missing } = ensureSystemPackages(names);
    if (missing.length > 0) process.exit(1);
    console.error(`[system-packages] present: ${names.join(", ")}`);
  } catch (error) {
    console.error(`[system-packages] ${(error as Error).message}`);
    process.exit(1);
  }
}
