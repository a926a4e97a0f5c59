"use client";

import { useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import { SLUG_PATTERN } from "@/lib/teams/slug.ts";
import { selectAccount } from "./select-account.ts";
import { teamsRequest, type Team } from "./teams-api.ts";

const slugFrom = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);

/** The caller's teams (open one to act in it) and a form to create a team. */
export function TeamsOverview() {
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [error, setError] = useState<string>();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    teamsRequest<{ teams: Team[] }>("/api/teams").then(
      (r) => setTeams(r.teams),
      (e: Error) => setError(e.message),
    );
  }, []);

  async function create(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      const team = await teamsRequest<Team>("/api/teams", "POST", { name: name.trim(), slug: slug.trim() });
      selectAccount(team.id, "/team");
    } catch (e) {
      setError((e as Error).message);
      setPending(false);
    }
  }

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle>Your teams</CardTitle>
          <CardDescription>A team has its own agents, credits and usage, shared by its members.</CardDescription>
        </CardHeader>
        <CardContent>
          {!teams && !error && <p className="text-sm text-muted-foreground">Loading teams…</p>}
          {teams?.length === 0 && <p className="text-sm text-muted-foreground">You are not in a team yet.</p>}
          <ul className="grid gap-2">
            {teams?.map((team) => (
              <li key={team.id} className="flex items-center justify-between gap-2 rounded-md border px-3 py-2">
                <div className="min-w-0">
                  <p className="truncate font-medium">{team.name}</p>
                  <p className="truncate text-xs text-muted-foreground">
                    {team.slug} · {team.role.startsWith("role_") ? "custom role" : team.role}
                  </p>
                </div>
                <Button size="sm" variant="outline" onClick={() => selectAccount(team.id, "/team")}>
                  Open
                </Button>
              </li>
            ))}
          </ul>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Create a team</CardTitle>
          <CardDescription>Teams get no monthly free credits: buy credits for the team from its billing page.</CardDescription>
        </CardHeader>
        <CardContent>
          <form onSubmit={create} className="grid gap-3">
            <div className="grid gap-1">
              <Label htmlFor="team-name">Name</Label>
              <Input
                id="team-name"
                required
                maxLength={100}
                value={name}
                onChange={(e) => {
                  setName(e.target.value);
                  if (!slugEdited) setSlug(slugFrom(e.target.value));
                }}
              />
            </div>
            <div className="grid gap-1">
              <Label htmlFor="team-slug">Slug</Label>
              <Input
                id="team-slug"
                required
                maxLength={40}
                pattern={SLUG_PATTERN}
                value={slug}
                onChange={(e) => {
                  setSlug(e.target.value);
                  setSlugEdited(true);
                }}
              />
            </div>
            {error && <Alert variant="destructive">{error}</Alert>}
            <Button type="submit" disabled={pending || !name.trim() || !slug}>
              {pending ? "Creating…" : "Create team"}
            </Button>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
