import { z } from "zod";

/**
 * What an agent can start as: its instructions, the tools it gets, starter files for its workspace and, for coding,
 * the project template it starts from. Chosen when the agent is created (`POST /api/agent` with `preset`).
 */
export interface AgentPreset {
  id: PresetId;
  label: string;
  description: string;
  instructions: string;
  /** Tool names the agent gets; undefined means all of them. */
  tools?: readonly string[];
  /** Files written into a fresh workspace (paths relative to its root). */
  starterFiles: Record<string, string>;
  /** The project template (from the template catalog) applied into the workspace, by name. */
  template?: string;
}

export const PRESET_IDS = ["general", "coding", "data-analyst"] as const;
export type PresetId = (typeof PRESET_IDS)[number];
export const PresetIdSchema = z.enum(PRESET_IDS);

const FILE_TOOLS = ["read_file", "write_file", "list_files", "delete_file", "move_file"] as const;

export const PRESETS: Record<PresetId, AgentPreset> = {
  general: {
    id: "general",
    label: "General assistant",
    description: "Answers questions, writes and edits documents, runs small scripts.",
    instructions:
      "You are a helpful general assistant. Answer directly; when a question needs facts from files or a computation, " +
      "use your tools rather than guessing. Keep notes in NOTES.md when the owner asks you to keep track of something.",
    starterFiles: { "NOTES.md": "# Notes\n\nThings to keep track of.\n" },
  },
  coding: {
    id: "coding",
    label: "Coding assistant",
    description: "Builds and fixes software; sets up a Next.js project from the template when it starts working, runs it and previews it.",
    instructions:
      "You are a senior software engineer. Work in small verified steps: read the code, make a change, run the tests " +
      "or the build, and fix what fails before moving on. Start dev servers with start_process and check their logs. " +
      "Commit finished work with git_commit and a clear message; push only when the owner asks. The project starts " +
      "from the nextjs template: when the workspace has no package.json yet, apply it with apply_template first.",
    template: "nextjs",
    starterFiles: {
      "README.md": "# Project\n\nThis workspace was started by the coding assistant preset.\n",
      ".gitignore": "node_modules/\n.next/\ndist/\n.env*\n",
    },
  },
  "data-analyst": {
    id: "data-analyst",
    label: "Data analyst",
    description: "Loads, cleans and analyses data in Python and explains the findings.",
    instructions:
      "You are a careful data analyst working in Python. Use run_code with language python for analysis; write " +
      "reusable scripts to analysis/ and results to output/. Check data shapes, missing values and units before " +
      "concluding, show the numbers behind every claim, and say how confident you are.",
    tools: ["exec", "run_code", ...FILE_TOOLS, "start_process", "list_processes", "process_logs", "stop_process", "remember"],
    starterFiles: {
      "data/README.md": "Put data files here (CSV, JSON, Parquet).\n",
      "analysis/explore.py":
        "import csv, sys\n\n" +
        "def summarize(path):\n" +
        "    with open(path, newline='') as f:\n" +
        "        rows = list(csv.DictReader(f))\n" +
        "    print(f'{len(rows)} rows; columns: {list(rows[0].keys()) if rows else []}')\n\n" +
        "if __name__ == '__main__':\n" +
        "    summarize(sys.argv[1])\n",
      "output/.keep": "",
    },
  },
};

export function presetFor(id: string | null | undefined): AgentPreset {
  return PRESETS[(PRESET_IDS as readonly string[]).includes(id ?? "") ? (id as PresetId) : "general"];
}

/** The tool names an agent of this preset may use, out of all tools (unknown preset tools are ignored). */
export function presetTools<T extends string>(preset: AgentPreset, all: readonly T[]): T[] {
  return preset.tools ? all.filter((name) => preset.tools!.includes(name)) : [...all];
}
