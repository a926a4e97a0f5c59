"use client";

import Link from "next/link";
import { MODEL_NOT_ANSWERING } from "@/agent/wire.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

/** For a platform admin only: where a failing model endpoint is diagnosed (users read just the plain message). */
export function OperatorLink({ text }: { text: string | undefined }) {
  const { operator } = useAgentWorkspace();
  if (!operator || !text?.startsWith(MODEL_NOT_ANSWERING)) return null;
  return (
    <Link href="/admin/health" className="text-xs underline underline-offset-4" data-testid="operator-link">
      Admin: model endpoint status and setup
    </Link>
  );
}
