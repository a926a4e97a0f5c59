"use client";

import type { FileUIPart } from "ai";
import { FileText, Paperclip, X } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENTS_PER_MESSAGE,
  classifyAttachment,
  formatBytes,
  type SavedAttachment,
} from "@/lib/agents/attachments.ts";
import { Button } from "@/components/ui/button.tsx";
import { errorMessage } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

/** A file in the composer: uploading (with its share sent), saved in the workspace, or refused. */
export interface PendingAttachment {
  key: string;
  name: string;
  size: number;
  progress: number;
  saved?: SavedAttachment;
  error?: string;
  /** A local preview of an image while it uploads and until it is sent. */
  preview?: string;
  abort: AbortController;
}

/** Why a file is refused before it is uploaded (the server checks the same and more), or null. */
function refusal(file: File): string | null {
  if (file.size > ATTACHMENT_MAX_BYTES)
    return `${file.name} is ${formatBytes(file.size)}; a file may be at most ${formatBytes(ATTACHMENT_MAX_BYTES)}`;
  if (!classifyAttachment(file.name))
    return `${file.name} cannot be attached: attach text or code files, images (PNG, JPEG, GIF, WebP) or PDFs`;
  return null;
}

/** A pasted image arrives as "image.png" from every source; a time stamp keeps several apart. */
function named(file: File): File {
  if (file.name && file.name !== "image.png") return file;
  const extension = file.type.split("/")[1]?.replace("jpeg", "jpg") ?? "png";
  return new File([file], `pasted-${new Date().toISOString().replace(/[:.]/g, "-")}.${extension}`, { type: file.type });
}

/**
 * The composer's attachments for one thread: each file uploads at once to uploads/<thread>/ with its own progress,
 * can be removed before sending (its upload is cancelled, or its saved file deleted), and becomes a `file` part.
 */
export function useComposerAttachments(threadId: string) {
  const { api } = useAgentWorkspace();
  const [items, setItems] = useState<PendingAttachment[]>([]);
  const [notice, setNotice] = useState<string>();
  const itemsRef = useRef(items);
  itemsRef.current = items;

  const update = useCallback((key: string, change: Partial<PendingAttachment>) => {
    setItems((all) => all.map((item) => (item.key === key ? { ...item, ...change } : item)));
  }, []);

  const add = useCallback(
    (files: File[]) => {
      setNotice(undefined);
      const room = ATTACHMENTS_PER_MESSAGE - itemsRef.current.length;
      if (files.length > room) setNotice(`A message may carry at most ${ATTACHMENTS_PER_MESSAGE} files`);
      const added = files.slice(0, Math.max(0, room)).map((raw) => {
        const file = named(raw);
        const item: PendingAttachment = {
          key: crypto.randomUUID(),
          name: file.name,
          size: file.size,
          progress: 0,
          abort: new AbortController(),
          error: refusal(file) ?? undefined,
          preview: classifyAttachment(file.name)?.kind === "image" ? URL.createObjectURL(file) : undefined,
        };
        if (!item.error) {
          api
            .uploadAttachment(threadId, file, (sent) => update(item.key, { progress: sent }), item.abort.signal)
            .then((saved) => update(item.key, { saved, progress: 1 }))
            .catch((e: unknown) => {
              if (!item.abort.signal.aborted) update(item.key, { error: errorMessage(e) });
            });
        }
        return item;
      });
      setItems((all) => [...all, ...added]);
    },
    [api, threadId, update],
  );

  const remove = useCallback(
    (key: string) => {
      const item = itemsRef.current.find((i) => i.key === key);
      if (!item) return;
      item.abort.abort();
      if (item.preview) URL.revokeObjectURL(item.preview);
      if (item.saved) api.remove(item.saved.path).catch(() => {});
      setItems((all) => all.filter((i) => i.key !== key));
    },
    [api],
  );

  /** The file parts of the message to send, and the composer emptied (the files stay in the workspace). */
  const take = useCallback((): FileUIPart[] => {
    const parts = itemsRef.current
      .filter((i) => i.saved)
      .map((i) => ({ type: "file" as const, mediaType: i.saved!.mediaType, filename: i.saved!.name, url: i.saved!.url }));
    for (const item of itemsRef.current) if (item.preview) URL.revokeObjectURL(item.preview);
    setItems([]);
    setNotice(undefined);
    return parts;
  }, []);

  // A thread switch starts an empty composer; uploads already saved stay in that thread's folder.
  useEffect(() => {
    setItems([]);
    setNotice(undefined);
  }, [threadId]);

  const uploading = items.some((i) => !i.saved && !i.error);
  const ready = items.some((i) => i.saved);
  return { items, add, remove, take, uploading, ready, notice };
}

export type ComposerAttachments = ReturnType<typeof useComposerAttachments>;

/** The paperclip: opens the file picker. */
export function AttachButton({ attachments, disabled }: { attachments: ComposerAttachments; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        className="hidden"
        aria-label="Files to attach"
        onChange={(e) => {
          attachments.add([...(e.target.files ?? [])]);
          e.target.value = "";
        }}
      />
      <Button
        type="button"
        size="icon"
        variant="ghost"
        className="shrink-0 rounded-full"
        aria-label="Attach files"
        title={`Attach up to ${ATTACHMENTS_PER_MESSAGE} files of at most ${formatBytes(ATTACHMENT_MAX_BYTES)}`}
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <Paperclip />
      </Button>
    </>
  );
}

/** The files waiting in the composer: a progress bar each while uploading, its error if refused, and Remove. */
export function PendingAttachments({ attachments }: { attachments: ComposerAttachments }) {
  if (attachments.items.length === 0 && !attachments.notice) return null;
  return (
    <div className="mx-auto mb-2 flex max-w-3xl flex-wrap gap-2" aria-label="Attachments" role="list">
      {attachments.items.map((item) => (
        <div
          key={item.key}
          role="listitem"
          aria-label={item.name}
          data-testid="pending-attachment"
          data-state={item.error ? "error" : item.saved ? "saved" : "uploading"}
          className={`flex w-56 items-center gap-2 rounded-lg border bg-card px-2 py-1.5 text-xs ${item.error ? "border-destructive/60" : ""}`}
        >
          {item.preview ? (
            // biome-ignore lint/performance/noImgElement: a local object URL, not an optimizable asset
            <img src={item.preview} alt="" className="size-8 shrink-0 rounded object-cover" />
          ) : (
            <FileText className="size-4 shrink-0 text-muted-foreground" />
          )}
          <div className="min-w-0 flex-1">
            <div className="truncate font-medium" title={item.name}>
              {item.name}
            </div>
            {item.error ? (
              <div role="alert" className="text-destructive">
                {item.error}
              </div>
            ) : item.saved ? (
              <div className="text-muted-foreground">{formatBytes(item.size)}</div>
            ) : (
              <div
                role="progressbar"
                aria-label={`Uploading ${item.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(item.progress * 100)}
                className="mt-1 h-1.5 overflow-hidden rounded-full bg-muted"
              >
                <div className="h-full bg-primary transition-[width]" style={{ width: `${Math.round(item.progress * 100)}%` }} />
              </div>
            )}
          </div>
          <Button
            type="button"
            size="icon"
            variant="ghost"
            className="size-6 shrink-0"
            aria-label={`Remove ${item.name}`}
            onClick={() => attachments.remove(item.key)}
          >
            <X className="size-3.5" />
          </Button>
        </div>
      ))}
      {attachments.notice && (
        <p role="alert" className="w-full text-xs text-destructive">
          {attachments.notice}
        </p>
      )}
    </div>
  );
}

/** A sent message's attachments: image thumbnails and file chips, each opening the saved file. */
export function AttachmentChips({ parts }: { parts: FileUIPart[] }) {
  if (parts.length === 0) return null;
  return (
    <div className="mb-1 flex max-w-[85%] flex-wrap items-end justify-end gap-2" data-testid="message-attachments">
      {parts.map((part, i) =>
        part.mediaType.startsWith("image/") ? (
          <a
            // biome-ignore lint/suspicious/noArrayIndexKey: a message's parts keep their position
            key={i}
            href={part.url}
            target="_blank"
            rel="noreferrer"
            data-testid="attachment-chip"
            title={part.filename}
            className="block overflow-hidden rounded-lg border"
          >
            {/* biome-ignore lint/performance/noImgElement: the workspace file itself, served by the files route */}
            <img src={part.url} alt={part.filename ?? "attached image"} className="h-24 max-w-48 object-cover" />
          </a>
        ) : (
          <a
            // biome-ignore lint/suspicious/noArrayIndexKey: a message's parts keep their position
            key={i}
            href={part.url}
            target="_blank"
            rel="noreferrer"
            data-testid="attachment-chip"
            className="inline-flex max-w-56 items-center gap-1.5 rounded-full border bg-card px-3 py-1 text-xs hover:bg-muted"
          >
            <FileText className="size-3.5 shrink-0" />
            <span className="truncate">{part.filename}</span>
          </a>
        ),
      )}
    </div>
  );
}
