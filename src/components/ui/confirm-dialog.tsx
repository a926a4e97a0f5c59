"use client";

import { Loader2 } from "lucide-react";
import { useCallback, useRef, useState, type ReactNode } from "react";
import { Alert } from "./alert.tsx";
import { Button } from "./button.tsx";
import { Dialog } from "./dialog.tsx";

export interface ConfirmOptions {
  title: string;
  description?: ReactNode;
  /** The label of the button that does it, e.g. "Delete schedule". */
  confirmLabel: string;
  /** Whether the action destroys something (a red button); true unless said otherwise. */
  destructive?: boolean;
}

/**
 * The one confirmation before a destructive action. `onConfirm` may be async: the dialog stays open while it runs
 * and shows its error if it fails, so the user sees why nothing happened.
 */
export function ConfirmDialog({
  open,
  onClose,
  onConfirm,
  title,
  description,
  confirmLabel,
  destructive = true,
  children,
}: ConfirmOptions & {
  open: boolean;
  onClose: () => void;
  onConfirm: () => unknown;
  children?: ReactNode;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const close = useCallback(() => {
    setError(undefined);
    onClose();
  }, [onClose]);
  async function confirm() {
    setPending(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setPending(false);
    }
  }
  return (
    <Dialog open={open} onClose={close} title={title} description={description}>
      {children}
      {error && (
        <Alert variant="destructive" className="mb-3">
          {error}
        </Alert>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={close}>
          Cancel
        </Button>
        <Button variant={destructive ? "destructive" : "default"} disabled={pending} onClick={() => void confirm()}>
          {pending && <Loader2 className="animate-spin" />}
          {confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}

/**
 * A promise-returning stand-in for `window.confirm` that shows a {@link ConfirmDialog}: render `dialog` once and
 * `if (await confirm({...})) doIt()`.
 */
export function useConfirm(): [confirm: (options: ConfirmOptions) => Promise<boolean>, dialog: ReactNode] {
  const [options, setOptions] = useState<ConfirmOptions | null>(null);
  const resolver = useRef<((yes: boolean) => void) | null>(null);
  const settle = useCallback((yes: boolean) => {
    resolver.current?.(yes);
    resolver.current = null;
    setOptions(null);
  }, []);
  const confirm = useCallback((next: ConfirmOptions) => {
    resolver.current?.(false);
    setOptions(next);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);
  const onClose = useCallback(() => settle(false), [settle]);
  const dialog = options ? <ConfirmDialog open {...options} onClose={onClose} onConfirm={() => settle(true)} /> : null;
  return [confirm, dialog];
}
