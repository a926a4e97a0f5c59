"use client";

import { highlightCode } from "@lezer/highlight";
import { useMemo, type ReactNode } from "react";
import { languageFor, tokenHighlighter } from "./syntax.ts";

/** Code as React spans coloured by the language's Lezer parser: no HTML strings, so nothing can be injected. */
export function HighlightedCode({ code, language }: { code: string; language?: string }) {
  const nodes = useMemo(() => {
    const support = languageFor(language);
    // Very long blocks stay plain: parsing them on every streamed chunk would stall typing.
    if (!support || code.length > 50_000) return code;
    const out: ReactNode[] = [];
    const tree = support.language.parser.parse(code);
    highlightCode(
      code,
      tree,
      tokenHighlighter,
      (text, classes) => out.push(classes ? <span key={out.length} className={classes}>{text}</span> : text),
      () => out.push("\n"),
    );
    return out;
  }, [code, language]);
  return <code>{nodes}</code>;
}
