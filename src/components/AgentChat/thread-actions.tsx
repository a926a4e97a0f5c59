"use client";

import { Download, Link2, Loader2, Share2 } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { useAgentWorkspace } from "./agent-context.tsx";
import { errorMessage, relativeTime, type ShareInfo } from "./agent-api.ts";
import { CopyButton } from "./markdown.tsx";

const shareUrl = (token: string) => `${window.location.origin}/share/${token}`;

/** The share links of a thread: create one (a snapshot of the messages now), copy it, revoke it. */
function ShareDialog({ threadId, open, onClose }: { threadId: string; open: boolean; onClose: () => void }) {
  const { api, agent } = useAgentWorkspace();
  const [shares, setShares] = useState<ShareInfo[] | null>(null);
  const [error, setError] = useState<string>();
  const [working, setWorking] = useState(false);
  // A team role without threads.share cannot share; the server says so too (403).
  const allowed = !agent?.permissions || agent.permissions.includes("threads.share");
  const load = useCallback(() => {
    api
      .shares(threadId)
      .then(setShares)
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [api, threadId]);
  useEffect(() => {
    if (open) load();
  }, [open, load]);

  async function run(action: () => Promise<unknown>) {
    setWorking(true);
    setError(undefined);
    try {
      await action();
      load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setWorking(false);
    }
  }

  const live = shares?.filter((s) => !s.revokedAt) ?? [];
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Share this thread"
      description="Anyone with the link sees the messages as they are now, read-only, without signing in. They cannot reach the agent or its workspace; secrets are redacted."
    >
      <div className="grid gap-3">
        {allowed ? (
          <Button onClick={() => void run(() => api.share(threadId))} disabled={working}>
            {working ? <Loader2 className="animate-spin" /> : <Link2 />} Create link
          </Button>
        ) : (
          <p className="text-sm text-muted-foreground">Your role in this team does not allow sharing threads.</p>
        )}
        {error && (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        )}
        {shares === null && !error && <p className="text-sm text-muted-foreground">Loading links…</p>}
        {shares !== null && live.length === 0 && <p className="text-sm text-muted-foreground">No active links.</p>}
        <ul className="grid gap-2" aria-label="Share links">
          {live.map((share) => (
            <li key={share.id} className="grid gap-1 rounded-lg border p-2">
              <div className="flex items-center gap-1">
                <Input readOnly value={shareUrl(share.token)} aria-label="Share link" className="h-8 text-xs" />
                <CopyButton text={shareUrl(share.token)} label="Copy link" />
              </div>
              <div className="flex items-center justify-between text-xs text-muted-foreground">
                <span>
                  {share.messageCount} messages · {relativeTime(share.createdAt)}
                </span>
                {allowed && (
                  <Button variant="ghost" size="sm" disabled={working} onClick={() => void run(() => api.revokeShare(threadId, share.id))}>
                    Revoke
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </div>
    </Dialog>
  );
}

/** Above the conversation: download it as Markdown or JSON, and share it as a read-only link. */
export function ThreadActions({ threadId, empty }: { threadId: string; empty: boolean }) {
  const { api } = useAgentWorkspace();
  const [sharing, setSharing] = useState(false);
  if (empty) return null;
  return (
    <div className="flex items-center justify-end gap-1 border-b px-3 py-1 text-xs">
      <Button asChild variant="ghost" size="sm">
        <a href={api.exportUrl(threadId, "markdown")} download aria-label="Download as Markdown">
          <Download /> Markdown
        </a>
      </Button>
      <Button asChild variant="ghost" size="sm">
        <a href={api.exportUrl(threadId, "json")} download aria-label="Download as JSON">
          <Download /> JSON
        </a>
      </Button>
      <Button variant="ghost" size="sm" onClick={() => setSharing(true)}>
        <Share2 /> Share
      </Button>
      <ShareDialog threadId={threadId} open={sharing} onClose={() => setSharing(false)} />
    </div>
  );
}
