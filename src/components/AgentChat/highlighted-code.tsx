"use client";

import { useEffect, useMemo, useState, type ReactNode } from "react";

type Syntax = typeof import("./syntax.ts");

// The grammars are loaded on the first code block, not with the chat page: they are a large share of its JavaScript.
let syntax: Syntax | undefined;
let loading: Promise<Syntax> | undefined;
function loadSyntax(): Promise<Syntax> {
  return (loading ??= import("./syntax.ts").then((module) => (syntax = module)));
}

/** Code as React spans coloured by the language's Lezer parser: no HTML strings, so nothing can be injected. Plain
 * text until the grammars have loaded. */
export function HighlightedCode({ code, language }: { code: string; language?: string }) {
  const [loaded, setLoaded] = useState<Syntax | undefined>(syntax);
  useEffect(() => {
    if (loaded || !language) return;
    let current = true;
    void loadSyntax().then((module) => current && setLoaded(module));
    return () => {
      current = false;
    };
  }, [loaded, language]);
  const nodes = useMemo(() => {
    const support = loaded?.languageFor(language);
    // Very long blocks stay plain: parsing them on every streamed chunk would stall typing.
    if (!loaded || !support || code.length > 50_000) return code;
    const out: ReactNode[] = [];
    const tree = support.language.parser.parse(code);
    loaded.highlightCode(
      code,
      tree,
      loaded.tokenHighlighter,
      (text, classes) =>
        out.push(
          classes ? (
            <span key={out.length} className={classes}>
              {text}
            </span>
          ) : (
            text
          ),
        ),
      () => out.push("\n"),
    );
    return out;
  }, [code, language, loaded]);
  return <code data-highlighted={Array.isArray(nodes) ? "true" : undefined}>{nodes}</code>;
}
