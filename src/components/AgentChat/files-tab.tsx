"use client";

import {
  ChevronRight,
  Download,
  File,
  FilePlus,
  Folder,
  FolderPlus,
  Loader2,
  Pencil,
  RefreshCw,
  Save,
  Trash2,
  Upload,
  X,
} from "lucide-react";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { errorMessage, type FileEntry } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";
import { CodeEditor } from "./code-editor.tsx";

const MAX_EDITABLE_BYTES = 2 * 1024 * 1024;

type Prompt =
  | { kind: "new-file" | "new-folder"; dir: string }
  | { kind: "rename"; entry: FileEntry }
  | { kind: "delete"; entry: FileEntry }
  | null;

interface OpenFile {
  path: string;
  saved: string;
  draft: string;
  version: number;
  binary: boolean;
}

const sortEntries = (entries: FileEntry[]) =>
  [...entries].sort((a, b) =>
    (a.type === "directory") === (b.type === "directory") ? a.name.localeCompare(b.name) : a.type === "directory" ? -1 : 1,
  );

const parentOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");
const joinPath = (dir: string, name: string) => (dir && dir !== "." ? `${dir}/${name}` : name);

/** The workspace's files: a lazy tree with create, rename, delete, upload and download, and an editor below it. */
export function FilesTab() {
  const { api, workspaceVersion } = useAgentWorkspace();
  const [dirs, setDirs] = useState<Record<string, FileEntry[]>>({});
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set([""]));
  const [error, setError] = useState<string>();
  const [prompt, setPrompt] = useState<Prompt>(null);
  const [open, setOpen] = useState<OpenFile | null>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState<string>();
  const upload = useRef<HTMLInputElement>(null);
  const openRef = useRef(open);
  openRef.current = open;

  const loadDir = useCallback(
    async (dir: string) => {
      try {
        const listing = await api.list(dir || ".");
        setDirs((d) => ({ ...d, [dir]: sortEntries(listing.entries) }));
        setError(undefined);
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [api],
  );

  const openFile = useCallback(
    async (path: string, keepVersion = false) => {
      try {
        const text = await api.read(path);
        const binary = text.length > MAX_EDITABLE_BYTES || text.includes("\u0000");
        setOpen((o) => ({ path, saved: text, draft: text, binary, version: keepVersion && o ? o.version + 1 : Date.now() }));
        setStatus(undefined);
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [api],
  );

  const expandedRef = useRef(expanded);
  expandedRef.current = expanded;
  // The agent changed something: reload every open folder, and the open file unless it has unsaved edits.
  useEffect(() => {
    for (const dir of expandedRef.current) void loadDir(dir);
    const file = openRef.current;
    if (file && file.draft === file.saved && !file.binary) {
      api
        .read(file.path)
        .then((text) => {
          if (openRef.current?.path === file.path && openRef.current.draft === openRef.current.saved && text !== openRef.current.saved) {
            setOpen({ ...openRef.current, saved: text, draft: text, version: openRef.current.version + 1 });
          }
        })
        .catch(() => {});
    }
  }, [workspaceVersion, loadDir, api]);

  function toggle(dir: string) {
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(dir)) next.delete(dir);
      else {
        next.add(dir);
        void loadDir(dir);
      }
      return next;
    });
  }

  async function save() {
    const file = openRef.current;
    if (!file) return;
    setSaving(true);
    try {
      await api.write(file.path, file.draft);
      setOpen((o) => (o && o.path === file.path ? { ...o, saved: file.draft } : o));
      setStatus(`Saved ${file.path}`);
    } catch (e) {
      setStatus(undefined);
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  async function uploadFiles(files: FileList | null) {
    if (!files?.length) return;
    try {
      for (const file of Array.from(files)) await api.write(file.name, file);
      setStatus(`Uploaded ${files.length === 1 ? files[0]!.name : `${files.length} files`}`);
      void loadDir("");
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      if (upload.current) upload.current.value = "";
    }
  }

  const dirty = open !== null && open.draft !== open.saved;

  function renderDir(dir: string, depth: number) {
    const entries = dirs[dir];
    if (!entries) {
      return (
        <li className="flex items-center gap-2 py-1 text-xs text-muted-foreground" style={{ paddingLeft: depth * 14 + 8 }}>
          <Loader2 className="size-3 animate-spin" /> Loading…
        </li>
      );
    }
    if (entries.length === 0 && depth === 0) {
      return (
        <li className="px-3 py-4 text-sm text-muted-foreground">
          The workspace is empty. Ask the agent to create something, or add a file.
        </li>
      );
    }
    return entries.map((entry) => {
      const isDir = entry.type === "directory";
      const isOpen = isDir && expanded.has(entry.path);
      return (
        <li key={entry.path}>
          <div className={cn("group flex items-center rounded-sm pr-1 hover:bg-accent", open?.path === entry.path && "bg-accent")}>
            <button
              type="button"
              className="flex min-w-0 flex-1 items-center gap-1.5 py-1 text-left text-sm"
              style={{ paddingLeft: depth * 14 + 6 }}
              onClick={() => (isDir ? toggle(entry.path) : void openFile(entry.path))}
              aria-expanded={isDir ? isOpen : undefined}
              aria-label={isDir ? `Folder ${entry.name}` : `File ${entry.name}`}
            >
              {isDir ? (
                <ChevronRight className={cn("size-3.5 shrink-0 transition-transform", isOpen && "rotate-90")} />
              ) : (
                <span className="w-3.5 shrink-0" />
              )}
              {isDir ? <Folder className="size-4 shrink-0 text-sky-600" /> : <File className="size-4 shrink-0 text-muted-foreground" />}
              <span className="truncate">{entry.name}</span>
            </button>
            <div className="flex shrink-0 opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
              {isDir && (
                <Button
                  variant="ghost"
                  size="icon"
                  className="size-6"
                  aria-label={`New file in ${entry.name}`}
                  onClick={() => setPrompt({ kind: "new-file", dir: entry.path })}
                >
                  <FilePlus />
                </Button>
              )}
              <Button variant="ghost" size="icon" className="size-6" aria-label={`Download ${entry.name}`} asChild>
                {isDir ? (
                  <a href={api.archiveUrl(entry.path, "zip")} download={`${entry.name}.zip`}>
                    <Download />
                  </a>
                ) : (
                  <a href={api.fileUrl(entry.path)} download={entry.name}>
                    <Download />
                  </a>
                )}
              </Button>
              <Button
                variant="ghost"
                size="icon"
                className="size-6"
                aria-label={`Rename ${entry.name}`}
                onClick={() => setPrompt({ kind: "rename", entry })}
              >
                <Pencil />
              </Button>
              <Button
                variant="ghost"
                size="icon"
                className="size-6"
                aria-label={`Delete ${entry.name}`}
                onClick={() => setPrompt({ kind: "delete", entry })}
              >
                <Trash2 />
              </Button>
            </div>
          </div>
          {isOpen && <ul>{renderDir(entry.path, depth + 1)}</ul>}
        </li>
      );
    });
  }

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex items-center gap-1 border-b px-2 py-1">
        <span className="mr-auto text-xs font-medium uppercase tracking-wide text-muted-foreground">Files</span>
        <Button
          variant="ghost"
          size="icon"
          className="size-7"
          aria-label="New file"
          onClick={() => setPrompt({ kind: "new-file", dir: "" })}
        >
          <FilePlus />
        </Button>
        <Button
          variant="ghost"
          size="icon"
          className="size-7"
          aria-label="New folder"
          onClick={() => setPrompt({ kind: "new-folder", dir: "" })}
        >
          <FolderPlus />
        </Button>
        <Button variant="ghost" size="icon" className="size-7" aria-label="Upload files" onClick={() => upload.current?.click()}>
          <Upload />
        </Button>
        <input
          ref={upload}
          type="file"
          multiple
          className="hidden"
          aria-label="Choose files to upload"
          onChange={(e) => void uploadFiles(e.target.files)}
        />
        <Button variant="ghost" size="icon" className="size-7" aria-label="Download workspace as tar.gz" asChild>
          <a href={api.archiveUrl(".", "tar.gz")} download="workspace.tar.gz">
            <Download />
          </a>
        </Button>
        <Button
          variant="ghost"
          size="icon"
          className="size-7"
          aria-label="Refresh files"
          onClick={() => expanded.forEach((d) => void loadDir(d))}
        >
          <RefreshCw />
        </Button>
      </div>
      {error && (
        <Alert variant="destructive" className="m-2 flex items-start gap-2">
          <span className="min-w-0 flex-1 break-words">{error}</span>
          <button type="button" aria-label="Dismiss" onClick={() => setError(undefined)}>
            <X className="size-4" />
          </button>
        </Alert>
      )}
      <ul className={cn("overflow-y-auto p-1", open ? "max-h-[40%] shrink-0 border-b" : "min-h-0 flex-1")} aria-label="Workspace files">
        {renderDir("", 0)}
      </ul>
      {open && (
        <div className="flex min-h-0 flex-1 flex-col">
          <div className="flex items-center gap-2 border-b px-2 py-1">
            <span className="min-w-0 flex-1 truncate font-mono text-xs" title={open.path}>
              {open.path}
              {dirty && (
                <span className="ml-1 text-amber-600" role="img" aria-label="Unsaved changes">
                  ●
                </span>
              )}
            </span>
            {status && (
              <span role="status" className="hidden truncate text-xs text-muted-foreground sm:inline">
                {status}
              </span>
            )}
            <Button size="sm" className="h-7" onClick={() => void save()} disabled={!dirty || saving || open.binary} aria-label="Save file">
              {saving ? <Loader2 className="animate-spin" /> : <Save />} Save
            </Button>
            <Button variant="ghost" size="icon" className="size-7" aria-label="Close file" onClick={() => setOpen(null)}>
              <X />
            </Button>
          </div>
          {open.binary ? (
            <p className="p-4 text-sm text-muted-foreground">This file is binary or too large to edit here. Download it instead.</p>
          ) : (
            <div className="min-h-0 flex-1">
              <CodeEditor
                path={open.path}
                value={open.draft}
                version={open.version}
                onChange={(draft) => setOpen((o) => (o ? { ...o, draft } : o))}
                onSave={() => void save()}
              />
            </div>
          )}
        </div>
      )}
      {prompt && (
        <FilePromptDialog
          prompt={prompt}
          onClose={() => setPrompt(null)}
          onDone={(changedDir, openPath) => {
            setPrompt(null);
            void loadDir(changedDir);
            if (prompt.kind === "delete" && open?.path.startsWith(prompt.entry.path)) setOpen(null);
            if (openPath) {
              setExpanded((e) => new Set(e).add(changedDir));
              void openFile(openPath);
            }
          }}
        />
      )}
    </div>
  );
}

function FilePromptDialog({
  prompt,
  onClose,
  onDone,
}: {
  prompt: NonNullable<Prompt>;
  onClose: () => void;
  onDone: (dir: string, openPath?: string) => void;
}) {
  const { api } = useAgentWorkspace();
  const [name, setName] = useState(prompt.kind === "rename" ? prompt.entry.name : "");
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const title = { "new-file": "New file", "new-folder": "New folder", rename: "Rename", delete: "Delete?" }[prompt.kind];

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    setPending(true);
    try {
      if (prompt.kind === "delete") {
        await api.remove(prompt.entry.path);
        onDone(parentOf(prompt.entry.path));
      } else if (!name.trim() || (name.includes("/") && prompt.kind === "rename")) {
        setError("Enter a name (without a slash when renaming).");
      } else if (prompt.kind === "rename") {
        const dir = parentOf(prompt.entry.path);
        await api.move(prompt.entry.path, joinPath(dir, name.trim()));
        onDone(dir);
      } else if (prompt.kind === "new-folder") {
        await api.mkdir(joinPath(prompt.dir, name.trim()));
        onDone(prompt.dir);
      } else {
        const path = joinPath(prompt.dir, name.trim());
        await api.write(path, "");
        onDone(parentOf(path), path);
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }

  if (prompt.kind === "delete") {
    return (
      <Dialog
        open
        onClose={onClose}
        title={`Delete ${prompt.entry.type === "directory" ? "folder" : "file"}?`}
        description={<span className="break-all font-mono text-foreground">{prompt.entry.path}</span>}
      >
        {error && (
          <Alert variant="destructive" className="mb-3">
            {error}
          </Alert>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="destructive" disabled={pending} onClick={() => void submit()}>
            Delete
          </Button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      description={
        prompt.kind !== "rename" && prompt.dir ? (
          <>
            In <span className="font-mono">{prompt.dir}</span>
          </>
        ) : undefined
      }
    >
      <form onSubmit={submit} className="space-y-3">
        <Input
          aria-label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder={prompt.kind === "new-folder" ? "src" : "index.ts"}
        />
        {error && <Alert variant="destructive">{error}</Alert>}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={pending}>
            {prompt.kind === "rename" ? "Rename" : "Create"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
