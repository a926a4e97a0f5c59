/**
 * The agent screen's keyboard shortcuts, in one list: the help dialog shows it and the handlers match against it.
 * Letters are matched by their physical key (`event.code`), so Alt on macOS (which changes the character) still works.
 */
export type ShortcutId = "newChat" | "searchChats" | "stop" | "focusComposer" | "help";

export interface Shortcut {
  id: ShortcutId;
  keys: string[];
  description: string;
  matches: (event: KeyboardEvent) => boolean;
}

const plain = (event: KeyboardEvent) => !event.ctrlKey && !event.metaKey && !event.altKey;

export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: "newChat",
    keys: ["Alt", "Shift", "N"],
    description: "New chat",
    matches: (e) => e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === "KeyN",
  },
  { id: "searchChats", keys: ["/"], description: "Search chats", matches: (e) => plain(e) && e.key === "/" },
  { id: "focusComposer", keys: ["Shift", "Esc"], description: "Focus the message box", matches: (e) => e.shiftKey && e.key === "Escape" },
  { id: "stop", keys: ["Esc"], description: "Stop the answer", matches: (e) => !e.shiftKey && plain(e) && e.key === "Escape" },
  { id: "help", keys: ["?"], description: "Show keyboard shortcuts", matches: (e) => !e.ctrlKey && !e.metaKey && e.key === "?" },
];

export function shortcut(id: ShortcutId): Shortcut {
  return SHORTCUTS.find((s) => s.id === id)!;
}

/** Whether a key press is someone typing (in a field), where single-key shortcuts must not fire. */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** Whether a modal dialog is open: its own keys (Escape closes it) come first. */
export function dialogOpen(): boolean {
  return document.querySelector('[role="dialog"][aria-modal="true"]') !== null;
}
