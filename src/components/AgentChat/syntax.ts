import { css } from "@codemirror/lang-css";
import { html } from "@codemirror/lang-html";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { python } from "@codemirror/lang-python";
import type { LanguageSupport } from "@codemirror/language";
import { tagHighlighter, tags } from "@lezer/highlight";

export { highlightCode } from "@lezer/highlight";

/** Token colours for both chat code blocks and the editor, in Tailwind classes so they follow the theme. */
export const tokenHighlighter = tagHighlighter([
  { tag: [tags.keyword, tags.controlKeyword, tags.moduleKeyword, tags.operatorKeyword], class: "text-violet-700 dark:text-violet-300" },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], class: "text-emerald-700 dark:text-emerald-300" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], class: "text-amber-700 dark:text-amber-300" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], class: "text-zinc-500 italic" },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], class: "text-sky-700 dark:text-sky-300" },
  { tag: [tags.typeName, tags.className, tags.namespace], class: "text-teal-700 dark:text-teal-300" },
  { tag: [tags.tagName], class: "text-rose-700 dark:text-rose-300" },
  { tag: [tags.attributeName, tags.propertyName], class: "text-blue-700 dark:text-blue-300" },
  { tag: [tags.definition(tags.variableName)], class: "text-foreground" },
]);

const byName: Record<string, () => LanguageSupport> = {
  js: () => javascript(),
  javascript: () => javascript(),
  mjs: () => javascript(),
  cjs: () => javascript(),
  jsx: () => javascript({ jsx: true }),
  ts: () => javascript({ typescript: true }),
  typescript: () => javascript({ typescript: true }),
  tsx: () => javascript({ jsx: true, typescript: true }),
  json: () => json(),
  py: () => python(),
  python: () => python(),
  css: () => css(),
  html: () => html(),
  htm: () => html(),
  vue: () => html(),
  svelte: () => html(),
};

const cache = new Map<string, LanguageSupport>();

/** The language for a fence name (```ts) or a file extension, if we highlight it. */
export function languageFor(name: string | undefined): LanguageSupport | undefined {
  const key = (name ?? "").toLowerCase();
  if (!byName[key]) return undefined;
  let support = cache.get(key);
  if (!support) cache.set(key, (support = byName[key]()));
  return support;
}

export function languageForPath(path: string): LanguageSupport | undefined {
  const ext = path.split("/").pop()?.split(".").pop();
  return path.includes(".") ? languageFor(ext) : undefined;
}
