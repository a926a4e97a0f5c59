"use client";

import { Loader2, Save } from "lucide-react";
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import { Textarea } from "@/components/ui/textarea.tsx";
import { PRESET_IDS, PRESETS } from "@/lib/agents/presets.ts";
import { type AgentChanges, type AgentInfo, errorMessage, type ModelInfo } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

interface Form {
  name: string;
  model: string;
  instructions: string;
  preset: string;
  maxSteps: string;
  turnCreditCap: string;
  taskCreditBudget: string;
}

function formOf(agent: AgentInfo): Form {
  return {
    name: agent.name,
    model: agent.model,
    instructions: agent.instructions,
    preset: agent.preset,
    maxSteps: String(agent.maxSteps),
    turnCreditCap: agent.turnCreditCap === null ? "" : String(agent.turnCreditCap),
    taskCreditBudget: agent.taskCreditBudget === null ? "" : String(agent.taskCreditBudget),
  };
}

/** Credits from a field: empty is "no limit" (null); anything else must be a positive number. */
function creditsOf(text: string, label: string): number | null {
  if (!text.trim()) return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${label} must be a positive number of credits, or empty for no limit.`);
  return value;
}

/** Only what differs from the saved agent is sent, so a save changes exactly what was edited. */
function changesOf(form: Form, agent: AgentInfo): AgentChanges {
  const changes: AgentChanges = {};
  if (!form.name.trim()) throw new Error("Give the agent a name.");
  if (form.name.trim() !== agent.name) changes.name = form.name.trim();
  if (form.model !== agent.model) changes.model = form.model;
  if (form.instructions !== agent.instructions) changes.instructions = form.instructions;
  if (form.preset !== agent.preset) changes.preset = form.preset;
  const steps = Number(form.maxSteps);
  if (!Number.isInteger(steps) || steps < 1 || steps > 200) throw new Error("The step limit must be a whole number from 1 to 200.");
  if (steps !== agent.maxSteps) changes.maxSteps = steps;
  const cap = creditsOf(form.turnCreditCap, "The credit cap per turn");
  if (cap !== agent.turnCreditCap) changes.turnCreditCap = cap;
  const budget = creditsOf(form.taskCreditBudget, "The task budget");
  if (budget !== agent.taskCreditBudget) changes.taskCreditBudget = budget;
  return changes;
}

const price = (m: ModelInfo) => `${m.label}: ${m.inputCreditsPer1k} in / ${m.outputCreditsPer1k} out credits per 1k tokens`;

function Field({ id, label, hint, children }: { id: string; label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      )}
    </div>
  );
}

/** The agent's settings: who may manage agents edits them, everyone else reads them. */
export function AgentSettings() {
  const { agent, agentChanged, api } = useAgentWorkspace();
  const [models, setModels] = useState<ModelInfo[] | null>(null);
  const [modelsError, setModelsError] = useState<string>();
  const [form, setForm] = useState<Form | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    api
      .models()
      .then(setModels)
      .catch((e) => setModelsError(errorMessage(e)));
  }, [api]);
  useEffect(() => {
    if (agent && !form) setForm(formOf(agent));
  }, [agent, form]);

  const canManage = agent?.permissions?.includes("agents.manage") ?? false;
  // The agent's model stays in the list even if it was disabled since, so the form shows what it uses.
  const modelOptions = useMemo(() => {
    const list = models ?? [];
    if (!agent || list.some((m) => m.id === agent.model)) return list;
    return [
      ...list,
      { id: agent.model, label: `${agent.model} (not available)`, contextWindowTokens: 0, inputCreditsPer1k: 0, outputCreditsPer1k: 0 },
    ];
  }, [models, agent]);

  if (!agent || !form) {
    return (
      <p className="flex flex-1 items-center justify-center gap-2 text-sm text-muted-foreground" role="status">
        <Loader2 className="size-4 animate-spin" /> Loading the settings…
      </p>
    );
  }

  const set = (key: keyof Form) => (event: { target: { value: string } }) => {
    setSaved(false);
    setForm((f) => (f ? { ...f, [key]: event.target.value } : f));
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!agent || !form) return;
    setError(undefined);
    setSaved(false);
    let changes: AgentChanges;
    try {
      changes = changesOf(form, agent);
    } catch (e) {
      return setError(errorMessage(e));
    }
    if (Object.keys(changes).length === 0) return setSaved(true);
    setSaving(true);
    try {
      const next = await api.update(changes);
      agentChanged(next);
      setForm(formOf(next));
      setSaved(true);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  const selected = modelOptions.find((m) => m.id === form.model);
  return (
    <div className="@container min-h-0 min-w-0 flex-1 overflow-y-auto">
      {/* The form checks its fields itself (noValidate), so a bad value is said in words next to the button. */}
      <form
        onSubmit={submit}
        noValidate
        className="mx-auto grid w-full max-w-2xl grid-cols-[minmax(0,1fr)] gap-4 px-4 py-6"
        aria-label="Agent settings"
      >
        {!canManage && <Alert>Your role in this team does not include managing agents, so these settings are read-only.</Alert>}
        {/* A fieldset is as wide as its widest content unless told otherwise (min-w-0). */}
        <fieldset disabled={!canManage || saving} className="grid min-w-0 grid-cols-[minmax(0,1fr)] gap-4">
          <Card>
            <CardHeader>
              <CardTitle>Agent</CardTitle>
              <CardDescription>Its name, the model it thinks with, and how it works.</CardDescription>
            </CardHeader>
            <CardContent className="grid gap-4">
              <Field id="agent-name" label="Name">
                <Input id="agent-name" value={form.name} maxLength={100} onChange={set("name")} />
              </Field>
              <Field
                id="agent-model"
                label="Model"
                hint={
                  modelsError
                    ? `The models could not be loaded: ${modelsError}`
                    : selected && selected.contextWindowTokens > 0
                      ? `${selected.contextWindowTokens.toLocaleString()} tokens of context.`
                      : undefined
                }
              >
                <select
                  id="agent-model"
                  className="h-9 w-full min-w-0 rounded-md border bg-background px-3 text-sm disabled:opacity-50"
                  value={form.model}
                  onChange={set("model")}
                  aria-describedby="agent-model-hint"
                >
                  {modelOptions.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.contextWindowTokens > 0 ? price(m) : m.label}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="agent-preset" label="Preset" hint="Which tools the agent gets. Its instructions stay as they are.">
                <select
                  id="agent-preset"
                  className="h-9 w-full min-w-0 rounded-md border bg-background px-3 text-sm disabled:opacity-50"
                  value={form.preset}
                  onChange={set("preset")}
                  aria-describedby="agent-preset-hint"
                >
                  {PRESET_IDS.map((id) => (
                    <option key={id} value={id}>
                      {PRESETS[id].label}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="agent-instructions" label="Instructions" hint="Put into every chat's system prompt.">
                <Textarea
                  id="agent-instructions"
                  value={form.instructions}
                  maxLength={20_000}
                  rows={8}
                  onChange={set("instructions")}
                  aria-describedby="agent-instructions-hint"
                />
              </Field>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Limits</CardTitle>
              <CardDescription>How far one answer or one task may go. Leave a credit field empty for no limit of its own.</CardDescription>
            </CardHeader>
            <CardContent className="grid gap-4 @xl:grid-cols-3">
              <Field id="agent-max-steps" label="Step limit" hint="Model steps per answer (1-200).">
                <Input
                  id="agent-max-steps"
                  type="number"
                  min={1}
                  max={200}
                  step={1}
                  value={form.maxSteps}
                  onChange={set("maxSteps")}
                  aria-describedby="agent-max-steps-hint"
                />
              </Field>
              <Field id="agent-turn-cap" label="Credit cap per turn" hint="An answer stops when it has cost this much.">
                <Input
                  id="agent-turn-cap"
                  type="number"
                  min={0.01}
                  step="any"
                  placeholder="No cap"
                  value={form.turnCreditCap}
                  onChange={set("turnCreditCap")}
                  aria-describedby="agent-turn-cap-hint"
                />
              </Field>
              <Field id="agent-task-budget" label="Task budget" hint="Credits a task gets by default, and the most it may be given.">
                <Input
                  id="agent-task-budget"
                  type="number"
                  min={0.001}
                  step="any"
                  placeholder="10 (default)"
                  value={form.taskCreditBudget}
                  onChange={set("taskCreditBudget")}
                  aria-describedby="agent-task-budget-hint"
                />
              </Field>
            </CardContent>
          </Card>
        </fieldset>
        <p className="text-sm text-muted-foreground">
          Secrets, triggers and tool approvals are in the workspace panel, in its Secrets and Approvals tabs.
        </p>
        {error && <Alert variant="destructive">{error}</Alert>}
        {canManage && (
          <div className="flex items-center justify-end gap-3">
            {saved && !saving && (
              <span className="text-sm text-muted-foreground" role="status">
                Saved.
              </span>
            )}
            <Button type="submit" disabled={saving}>
              {saving ? <Loader2 className="animate-spin" /> : <Save />}
              {saving ? "Saving…" : "Save settings"}
            </Button>
          </div>
        )}
      </form>
    </div>
  );
}
