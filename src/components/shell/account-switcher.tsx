import { ChevronsUpDown, User } from "lucide-react";

/** Chooses the billing account the app acts on (personal or a team). Teams fill this in; for now: personal. */
export function AccountSwitcher({ label }: { label: string }) {
  return (
    <button
      type="button"
      disabled
      title="Teams arrive soon"
      className="flex w-full items-center gap-2 rounded-md border px-3 py-2 text-left text-sm"
    >
      <User className="size-4 shrink-0 text-muted-foreground" />
      <span className="min-w-0 flex-1 truncate">{label}</span>
      <ChevronsUpDown className="size-4 shrink-0 text-muted-foreground" />
    </button>
  );
}
