import { z } from "zod";

// C0 and C1 control characters, DEL, and the bidirectional embeddings, overrides and isolates that make text
// display differently from how it is stored (U+202A-U+202E, U+2066-U+2069).
const UNSAFE_IN_NAMES = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const UNSAFE_IN_NAMES_ALL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

/** Whether a user-given name or title holds no control character and no bidirectional override. */
export function isSafeName(text: string): boolean {
  return !UNSAFE_IN_NAMES.test(text);
}

/** The one validator for names and titles users give (agents, threads, teams, roles, keys, people). */
export function nameField(label: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${label} must not be empty`)
    .max(max, `${label} must be at most ${max} characters`)
    .refine(isSafeName, `${label} cannot contain control characters or text-direction overrides`);
}

/** A name made from free text (a thread titled from its first message): the unsafe characters become spaces. */
export function safeNameFrom(text: string): string {
  return text.replace(UNSAFE_IN_NAMES_ALL, " ");
}
