"use client";

import { useEffect, useRef } from "react";

/** CodeMirror 6, loaded on the client only; Mod-S saves. The document is replaced when `path` or `version` changes. */
export function CodeEditor({
  path,
  value,
  version,
  onChange,
  onSave,
}: {
  path: string;
  value: string;
  version: number;
  onChange: (value: string) => void;
  onSave: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };

  useEffect(() => {
    let destroyed = false;
    let view: import("@codemirror/view").EditorView | undefined;
    void (async () => {
      const [{ basicSetup }, { EditorView, keymap }, { EditorState }, { syntaxHighlighting }, { languageForPath, tokenHighlighter }] =
        await Promise.all([
          import("codemirror"),
          import("@codemirror/view"),
          import("@codemirror/state"),
          import("@codemirror/language"),
          import("./syntax.ts"),
        ]);
      if (destroyed || !host.current) return;
      const language = languageForPath(path);
      view = new EditorView({
        parent: host.current,
        state: EditorState.create({
          doc: value,
          extensions: [
            keymap.of([
              {
                key: "Mod-s",
                preventDefault: true,
                run: () => {
                  callbacks.current.onSave();
                  return true;
                },
              },
            ]),
            basicSetup,
            syntaxHighlighting(tokenHighlighter),
            ...(language ? [language] : []),
            EditorView.lineWrapping,
            EditorView.contentAttributes.of({ "aria-label": `Contents of ${path}` }),
            EditorView.updateListener.of((update) => {
              if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
            }),
            EditorView.theme({
              "&": { height: "100%", fontSize: "13px", backgroundColor: "transparent" },
              ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace" },
              ".cm-gutters": { backgroundColor: "transparent", borderRight: "1px solid var(--border)", color: "var(--muted-foreground)" },
              ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "color-mix(in oklch, var(--accent) 50%, transparent)" },
              "&.cm-focused": { outline: "none" },
              ".cm-cursor": { borderLeftColor: "var(--foreground)" },
              ".cm-selectionBackground, &.cm-focused .cm-selectionBackground": {
                backgroundColor: "color-mix(in oklch, var(--primary) 25%, transparent) !important",
              },
            }),
          ],
        }),
      });
      host.current.dataset.ready = "true";
    })();
    return () => {
      destroyed = true;
      view?.destroy();
      if (host.current) delete host.current.dataset.ready;
    };
    // The editor is rebuilt only for a new file or a reload from disk; typing does not rebuild it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, version]);

  return <div ref={host} className="h-full min-h-0 overflow-hidden" data-testid="code-editor" />;
}
