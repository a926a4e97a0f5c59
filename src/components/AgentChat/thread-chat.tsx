"use client";

import { Loader2 } from "lucide-react";
import { Component, Suspense, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { ChatPanel } from "./chat-panel.tsx";

class ChatErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="m-6 space-y-3">
        <Alert variant="destructive">The chat stopped working: {this.state.error.message}</Alert>
        <Button variant="outline" onClick={() => this.setState({ error: null })}>
          Try again
        </Button>
      </div>
    );
  }
}

/** One thread's chat, loaded on the client (its history arrives with the socket). */
export function ThreadChat({ threadId }: { threadId: string }) {
  return (
    <ChatErrorBoundary>
      <Suspense
        fallback={
          <p className="flex flex-1 items-center justify-center gap-2 text-sm text-muted-foreground" role="status">
            <Loader2 className="size-4 animate-spin" /> Loading the conversation…
          </p>
        }
      >
        <ChatPanel threadId={threadId} />
      </Suspense>
    </ChatErrorBoundary>
  );
}
