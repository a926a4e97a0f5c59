/**
 * What an empty chat offers to send first, per preset (./presets.ts). Kept apart from the presets so the chat page
 * loads a few strings, not the presets' instructions and starter files.
 */
const STARTER_PROMPTS: Record<string, readonly string[]> = {
  general: [
    "What can you do in your workspace?",
    "Write a checklist for planning a small team offsite into NOTES.md",
    "Compute compound interest on 1,000 at 5% for 10 years, year by year",
  ],
  coding: [
    "Set up the Next.js project and start the dev server",
    "Add a contact form page with validation",
    "Run the tests and fix what fails",
  ],
  "data-analyst": [
    "Make a sample CSV of monthly sales and summarize it",
    "Explain what the script in analysis/explore.py does",
    "Which Python libraries can you use here?",
  ],
};

/** The starter prompts of a preset; an unknown preset gets the general assistant's. */
export function starterPrompts(preset: string | null | undefined): readonly string[] {
  return STARTER_PROMPTS[preset ?? ""] ?? STARTER_PROMPTS.general!;
}
