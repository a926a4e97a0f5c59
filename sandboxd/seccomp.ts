import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const generator = fileURLToPath(new URL("./seccomp.py", import.meta.url));

/** Compiles the sandbox seccomp filter with libseccomp (Debian python3-seccomp); null with a reason when it cannot. */
export function writeSeccompFilter(etcDir: string): { file: string | null; problem?: string } {
  const file = path.join(etcDir, "seccomp.bpf");
  const result = spawnSync("/usr/bin/python3", ["-I", generator, file], { encoding: "utf8" });
  if (result.status === 0) return { file };
  const problem = result.stderr.includes("No module named 'seccomp'") ? "install the Debian package python3-seccomp" : result.stderr.trim();
  return { file: null, problem };
}
