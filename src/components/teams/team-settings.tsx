"use client";

import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { useConfirm } from "@/components/ui/confirm-dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import { PERMISSIONS, PERMISSION_LABELS, type Permission } from "@/lib/teams/permissions.ts";
import { McpAllowlistCard } from "./mcp-allowlist-card.tsx";
import { selectAccount } from "./select-account.ts";
import { teamPath, teamsRequest, type AuditEvent, type Invitation, type Member, type Role, type Team } from "./teams-api.ts";

interface Loaded {
  team: Team;
  members: Member[];
  roles: Role[];
  invitations: Invitation[];
  audit: AuditEvent[];
}

const roleName = (roles: Role[], id: string) => roles.find((r) => r.id === id)?.name ?? id;
const selectClass = "h-9 rounded-md border bg-transparent px-2 text-sm";

/** A team's settings: what the caller sees and can change follows their permissions (the server enforces them). */
export function TeamSettings({ teamId, userId, personalAccountId }: { teamId: string; userId: string; personalAccountId: string }) {
  const [data, setData] = useState<Loaded>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [confirm, confirmDialog] = useConfirm();

  const load = useCallback(async () => {
    try {
      const team = await teamsRequest<Team>(teamPath(teamId));
      const may = (p: Permission) => team.permissions.includes(p);
      const [members, roles, invitations, audit] = await Promise.all([
        teamsRequest<{ members: Member[] }>(teamPath(teamId, "/members")).then((r) => r.members),
        teamsRequest<{ roles: Role[] }>(teamPath(teamId, "/roles")).then((r) => r.roles),
        may("members.invite")
          ? teamsRequest<{ invitations: Invitation[] }>(teamPath(teamId, "/invitations")).then((r) => r.invitations)
          : [],
        may("audit.view") ? teamsRequest<{ events: AuditEvent[] }>(teamPath(teamId, "/audit")).then((r) => r.events) : [],
      ]);
      setData({ team, members, roles, invitations, audit });
    } catch (e) {
      setError((e as Error).message);
    }
  }, [teamId]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = useCallback(
    async (work: () => Promise<unknown>, done?: string) => {
      setError(undefined);
      setNotice(undefined);
      try {
        await work();
        if (done) setNotice(done);
        await load();
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [load],
  );

  if (!data) return error ? <Alert variant="destructive">{error}</Alert> : <p className="text-sm text-muted-foreground">Loading team…</p>;
  const { team, members, roles, invitations, audit } = data;
  const may = (p: Permission) => team.permissions.includes(p);

  return (
    <div className="grid gap-6" data-testid="team-settings" data-role={team.role}>
      {error && <Alert variant="destructive">{error}</Alert>}
      {notice && <Alert>{notice}</Alert>}
      {confirmDialog}
      <p className="text-sm text-muted-foreground">
        Your role: <Badge data-testid="my-role">{roleName(roles, team.role)}</Badge>
      </p>
      {may("team.settings") && (
        <RenameTeam team={team} onRename={(name) => act(() => teamsRequest(teamPath(teamId), "PATCH", { name }), "Team renamed")} />
      )}
      <McpAllowlistCard teamId={teamId} canEdit={may("team.settings")} />
      <Card>
        <CardHeader>
          <CardTitle>Members</CardTitle>
        </CardHeader>
        <CardContent>
          <ul className="grid gap-2" data-testid="members">
            {members.map((m) => (
              <li
                key={m.userId}
                className="flex flex-wrap items-center justify-between gap-2 rounded-md border px-3 py-2"
                data-testid="member"
                data-email={m.email}
              >
                <div className="min-w-0">
                  <p className="truncate font-medium">
                    {m.name} {m.userId === userId && <span className="text-xs text-muted-foreground">(you)</span>}
                  </p>
                  <p className="truncate text-xs text-muted-foreground">{m.email}</p>
                </div>
                <div className="flex items-center gap-2">
                  {may("members.roles") && m.userId !== userId ? (
                    <select
                      aria-label={`Role of ${m.email}`}
                      className={selectClass}
                      value={m.role}
                      onChange={(e) =>
                        act(() => teamsRequest(teamPath(teamId, `/members/${m.userId}`), "PATCH", { role: e.target.value }), "Role changed")
                      }
                    >
                      {roles.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <Badge>{roleName(roles, m.role)}</Badge>
                  )}
                  {m.userId === userId ? (
                    <Button
                      size="sm"
                      variant="outline"
                      onClick={async () => {
                        const yes = await confirm({
                          title: `Leave ${team.name}?`,
                          description: "You lose access to the team's agents and credits until someone invites you again.",
                          confirmLabel: "Leave team",
                        });
                        if (!yes) return;
                        void act(async () => {
                          await teamsRequest(teamPath(teamId, `/members/${m.userId}`), "DELETE");
                          selectAccount(personalAccountId, "/team");
                        });
                      }}
                    >
                      Leave
                    </Button>
                  ) : (
                    may("members.remove") && (
                      <Button
                        size="sm"
                        variant="outline"
                        onClick={async () => {
                          const yes = await confirm({
                            title: `Remove ${m.email}?`,
                            description: `They lose access to ${team.name} and its agents.`,
                            confirmLabel: "Remove member",
                          });
                          if (yes) void act(() => teamsRequest(teamPath(teamId, `/members/${m.userId}`), "DELETE"), "Member removed");
                        }}
                      >
                        Remove
                      </Button>
                    )
                  )}
                </div>
              </li>
            ))}
          </ul>
        </CardContent>
      </Card>
      {may("members.invite") && (
        <Invitations
          roles={roles}
          invitations={invitations}
          onInvite={(email, role) =>
            act(() => teamsRequest(teamPath(teamId, "/invitations"), "POST", { email, role }), `Invitation sent to ${email}`)
          }
          onRevoke={(id) => act(() => teamsRequest(teamPath(teamId, `/invitations/${id}`), "DELETE"), "Invitation revoked")}
        />
      )}
      <Roles
        roles={roles}
        editable={may("members.roles")}
        onCreate={(name, permissions) =>
          act(() => teamsRequest(teamPath(teamId, "/roles"), "POST", { name, permissions }), `Role ${name} created`)
        }
        onDelete={(id) => act(() => teamsRequest(teamPath(teamId, `/roles/${id}`), "DELETE"), "Role deleted")}
      />
      {may("audit.view") && <AuditLog events={audit} />}
      {team.role === "owner" && (
        <TransferOwnership
          team={team}
          candidates={members.filter((m) => m.userId !== userId && m.role !== "owner")}
          onTransfer={(member) =>
            act(
              () => teamsRequest(teamPath(teamId, "/transfer"), "POST", { userId: member.userId }),
              `${member.email} now owns ${team.name}; you are an admin`,
            )
          }
        />
      )}
      {may("team.delete") && (
        <DeleteTeam
          team={team}
          onDelete={(confirm) =>
            act(async () => {
              await teamsRequest(teamPath(teamId), "DELETE", { confirm });
              selectAccount(personalAccountId, "/team");
            })
          }
        />
      )}
    </div>
  );
}

function RenameTeam({ team, onRename }: { team: Team; onRename: (name: string) => Promise<void> }) {
  const [name, setName] = useState(team.name);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Team name</CardTitle>
        <CardDescription>Slug: {team.slug}</CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="flex flex-wrap gap-2"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void onRename(name.trim());
          }}
        >
          <Input
            aria-label="Team name"
            className="max-w-xs"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <Button type="submit" variant="outline" disabled={!name.trim() || name.trim() === team.name}>
            Rename
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

function Invitations({
  roles,
  invitations,
  onInvite,
  onRevoke,
}: {
  roles: Role[];
  invitations: Invitation[];
  onInvite: (email: string, role: string) => Promise<void>;
  onRevoke: (id: string) => Promise<void>;
}) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("member");
  return (
    <Card>
      <CardHeader>
        <CardTitle>Invitations</CardTitle>
        <CardDescription>The link in the email works once and expires after 7 days.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void onInvite(email.trim(), role).then(() => setEmail(""));
          }}
        >
          <div className="grid gap-1">
            <Label htmlFor="invite-email">Email</Label>
            <Input id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="grid gap-1">
            <Label htmlFor="invite-role">Role</Label>
            <select id="invite-role" className={selectClass} value={role} onChange={(e) => setRole(e.target.value)}>
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </div>
          <Button type="submit">Send invitation</Button>
        </form>
        <ul className="grid gap-2" data-testid="invitations">
          {invitations.map((i) => (
            <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 text-sm">
              <span className="min-w-0 truncate">
                {i.email} · {roleName(roles, i.role)} · <Badge>{i.state}</Badge>
              </span>
              {i.state === "pending" && (
                <Button size="sm" variant="outline" onClick={() => void onRevoke(i.id)}>
                  Revoke
                </Button>
              )}
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}

function Roles({
  roles,
  editable,
  onCreate,
  onDelete,
}: {
  roles: Role[];
  editable: boolean;
  onCreate: (name: string, permissions: Permission[]) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
}) {
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Permission[]>(["agents.use"]);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Roles</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        <ul className="grid gap-2 text-sm">
          {roles.map((r) => (
            <li key={r.id} className="flex flex-wrap items-start justify-between gap-2">
              <div className="min-w-0">
                <p className="font-medium">
                  {r.name} {r.builtIn && <span className="text-xs text-muted-foreground">(built-in)</span>}
                </p>
                <p className="text-xs text-muted-foreground">{r.permissions.join(", ") || "no permissions"}</p>
              </div>
              {editable && !r.builtIn && (
                <Button size="sm" variant="outline" onClick={() => void onDelete(r.id)}>
                  Delete
                </Button>
              )}
            </li>
          ))}
        </ul>
        {editable && (
          <form
            className="grid gap-2"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              void onCreate(name.trim(), chosen).then(() => setName(""));
            }}
          >
            <Label htmlFor="role-name">New custom role</Label>
            <Input id="role-name" className="max-w-xs" required maxLength={50} value={name} onChange={(e) => setName(e.target.value)} />
            <fieldset className="grid gap-1 sm:grid-cols-2">
              <legend className="sr-only">Permissions</legend>
              {PERMISSIONS.map((p) => (
                <label key={p} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={chosen.includes(p)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, p] : chosen.filter((c) => c !== p))}
                  />
                  {PERMISSION_LABELS[p]}
                </label>
              ))}
            </fieldset>
            <Button type="submit" variant="outline" className="justify-self-start" disabled={!name.trim()}>
              Create role
            </Button>
          </form>
        )}
      </CardContent>
    </Card>
  );
}

function AuditLog({ events }: { events: AuditEvent[] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Audit log</CardTitle>
      </CardHeader>
      <CardContent>
        <ul className="grid gap-1 text-sm" data-testid="audit-log">
          {events.map((e) => (
            <li key={e.id} className="flex flex-wrap gap-x-2">
              <time className="text-muted-foreground" dateTime={e.createdAt}>
                {new Date(e.createdAt).toLocaleString()}
              </time>
              <span className="font-medium">{e.action}</span>
              <span className="text-muted-foreground">{e.actor ? e.actor.email : "someone"}</span>
              <span className="min-w-0 break-all text-muted-foreground">{JSON.stringify(e.detail)}</span>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}

/** An owner hands the team to another member (who becomes owner) and stays on as an admin, after a confirmation. */
function TransferOwnership({
  team,
  candidates,
  onTransfer,
}: {
  team: Team;
  candidates: Member[];
  onTransfer: (member: Member) => Promise<void>;
}) {
  const [chosen, setChosen] = useState("");
  const [confirm, confirmDialog] = useConfirm();
  const member = candidates.find((m) => m.userId === chosen);
  return (
    <Card>
      <CardHeader>
        {confirmDialog}
        <CardTitle>Transfer ownership</CardTitle>
        <CardDescription>
          Makes another member an owner; you become an admin. A team's last owner transfers it (or deletes it) before deleting their
          account.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {candidates.length === 0 ? (
          <p className="text-sm text-muted-foreground">Invite someone first: there is no other member to make owner.</p>
        ) : (
          <form
            className="flex flex-wrap gap-2"
            onSubmit={async (e: FormEvent) => {
              e.preventDefault();
              if (!member) return;
              const yes = await confirm({
                title: `Make ${member.email} the owner?`,
                description: `They become an owner of ${team.name}; you become an admin.`,
                confirmLabel: "Transfer ownership",
              });
              if (yes) void onTransfer(member);
            }}
          >
            <select aria-label="New owner" className={selectClass} value={chosen} onChange={(e) => setChosen(e.target.value)}>
              <option value="">Choose a member</option>
              {candidates.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name} ({m.email})
                </option>
              ))}
            </select>
            <Button type="submit" variant="outline" disabled={!member}>
              Transfer ownership
            </Button>
          </form>
        )}
      </CardContent>
    </Card>
  );
}

function DeleteTeam({ team, onDelete }: { team: Team; onDelete: (confirm: string) => Promise<void> }) {
  const [confirm, setConfirm] = useState("");
  return (
    <Card className="border-destructive/50">
      <CardHeader>
        <CardTitle>Delete team</CardTitle>
        <CardDescription>
          Deletes the team's agents with their history and workspaces, and ends every membership. Type {team.slug} to confirm.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="flex flex-wrap gap-2"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void onDelete(confirm);
          }}
        >
          <Input
            aria-label="Type the team's slug to confirm"
            className="max-w-xs"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
          <Button type="submit" variant="destructive" disabled={confirm !== team.slug}>
            Delete team
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
