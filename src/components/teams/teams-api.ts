import type { Permission } from "@/lib/teams/permissions.ts";

export interface Team {
  id: string;
  name: string;
  slug: string;
  role: string;
  permissions: Permission[];
}
export interface Member {
  userId: string;
  name: string;
  email: string;
  role: string;
  joinedAt: string;
}
export interface Invitation {
  id: string;
  email: string;
  role: string;
  state: "pending" | "accepted" | "revoked" | "expired";
  expiresAt: string;
}
export interface Role {
  id: string;
  name: string;
  builtIn: boolean;
  permissions: Permission[];
}
export interface AuditEvent {
  id: string;
  action: string;
  actor: { name: string; email: string } | null;
  detail: Record<string, unknown>;
  createdAt: string;
}
export interface InvitationPreview {
  teamId: string;
  teamName: string;
  email: string;
  role: string;
  state: Invitation["state"];
}

export async function teamsRequest<T>(path: string, method = "GET", body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error("You appear to be offline. Check your connection and try again.");
  }
  if (!response.ok) {
    const failure = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(failure?.error?.message ?? `Request failed (${response.status})`);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const teamPath = (teamId: string, rest = "") => `/api/teams/${encodeURIComponent(teamId)}${rest}`;
