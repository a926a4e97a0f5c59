"use client";

import { Check, Copy } from "lucide-react";
import { memo, useState } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { HighlightedCode } from "./highlighted-code.tsx";

interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
  tagName?: string;
  properties?: { className?: unknown };
}

/** Raw HTML in a message is shown as the text it is, never interpreted. */
function remarkHtmlAsText() {
  const walk = (node: MdNode) => {
    for (const child of node.children ?? []) {
      if (child.type === "html") child.type = "text";
      else walk(child);
    }
  };
  return (tree: MdNode) => walk(tree);
}

/** A single newline in a message is a line break, as the model means it (chat Markdown, not a document's). */
function remarkSoftBreaks() {
  const walk = (node: MdNode) => {
    if (!node.children) return;
    node.children = node.children.flatMap((child): MdNode[] => {
      if (child.type !== "text" || !child.value?.includes("\n")) {
        walk(child);
        return [child];
      }
      return child.value
        .split("\n")
        .flatMap((line, i) => (i === 0 ? [{ type: "text", value: line }] : [{ type: "break" }, { type: "text", value: line }]));
    });
  };
  return (tree: MdNode) => walk(tree);
}

function textOf(node: MdNode | undefined): string {
  if (!node) return "";
  if (node.type === "text") return node.value ?? "";
  return (node.children ?? []).map(textOf).join("");
}

export function CopyButton({ text, label = "Copy code" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={copied ? "Copied" : label}
      className="inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs text-muted-foreground hover:bg-accent hover:text-foreground"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? <Check className="size-3.5" /> : <Copy className="size-3.5" />}
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

function CodeBlock({ code, language }: { code: string; language?: string }) {
  return (
    <div className="not-prose my-3 overflow-hidden rounded-lg border bg-muted/40" data-testid="code-block">
      <div className="flex items-center justify-between border-b bg-muted/60 px-3 py-1">
        <span className="font-mono text-xs text-muted-foreground">{language || "text"}</span>
        <CopyButton text={code} />
      </div>
      <pre className="overflow-x-auto p-3 font-mono text-[13px] leading-relaxed">
        <HighlightedCode code={code} language={language} />
      </pre>
    </div>
  );
}

const components: Components = {
  pre({ node }) {
    const codeNode = (node as MdNode | undefined)?.children?.find((c) => c.tagName === "code");
    const classes = codeNode?.properties?.className;
    const language = (Array.isArray(classes) ? classes : [])
      .map(String)
      .find((c) => c.startsWith("language-"))
      ?.slice("language-".length);
    return <CodeBlock code={textOf(codeNode).replace(/\n$/, "")} language={language} />;
  },
  code({ children }) {
    return <code className="rounded bg-muted px-1 py-0.5 font-mono text-[0.9em]">{children}</code>;
  },
  a({ href, children }) {
    return (
      <a href={href} target="_blank" rel="noreferrer noopener" className="text-primary underline underline-offset-2">
        {children}
      </a>
    );
  },
  table({ children }) {
    return (
      <div className="my-3 overflow-x-auto">
        <table className="w-full border-collapse text-sm [&_td]:border [&_td]:px-2 [&_td]:py-1 [&_th]:border [&_th]:px-2 [&_th]:py-1 [&_th]:text-left">
          {children}
        </table>
      </div>
    );
  },
};

/** Markdown from the model: GFM, highlighted code with copy buttons, raw HTML shown as text. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown space-y-3 break-words text-[15px] leading-relaxed [&_h1]:text-xl [&_h1]:font-semibold [&_h2]:text-lg [&_h2]:font-semibold [&_h3]:font-semibold [&_ol]:list-decimal [&_ol]:pl-6 [&_ul]:list-disc [&_ul]:pl-6 [&_blockquote]:border-l-2 [&_blockquote]:pl-3 [&_blockquote]:text-muted-foreground">
      <ReactMarkdown remarkPlugins={[remarkGfm, remarkHtmlAsText, remarkSoftBreaks]} components={components} skipHtml={false}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
