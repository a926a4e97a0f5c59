import { MonitorPlay } from "lucide-react";

/** Live previews need the ports API, which has not landed yet; say so rather than show a control that cannot work. */
export function PreviewTab() {
  return (
    <div className="flex h-full flex-col items-center justify-center gap-2 p-6 text-center">
      <MonitorPlay className="size-8 text-muted-foreground" />
      <p className="font-medium">Previews are not available yet</p>
      <p className="max-w-xs text-sm text-muted-foreground">
        Exposing a port of the workspace as a live preview is coming. Until then, start a dev server under Processes and check it with a command.
      </p>
    </div>
  );
}
