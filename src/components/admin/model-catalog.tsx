"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import { adminRequest } from "./admin-api.ts";

export interface ModelRow {
  id: string;
  label: string;
  provider: string;
  inputMillicreditsPer1k: number;
  outputMillicreditsPer1k: number;
  contextWindowTokens: number;
  enabled: boolean;
  /** Reads attached images (they reach it as image parts). */
  vision: boolean;
  createdAt: string;
}

const FIELDS = [
  { name: "id", label: "Id", placeholder: "gpt-oss:20b" },
  { name: "label", label: "Label", placeholder: "GPT-OSS 20B" },
  { name: "provider", label: "Provider", placeholder: "openai-compatible" },
  { name: "inputMillicreditsPer1k", label: "Input rate", placeholder: "100", numeric: true },
  { name: "outputMillicreditsPer1k", label: "Output rate", placeholder: "300", numeric: true },
  { name: "contextWindowTokens", label: "Context window", placeholder: "131072", numeric: true },
] as const;

function VisionCheckbox({ id, defaultChecked }: { id: string; defaultChecked: boolean }) {
  return (
    <div className="flex items-center gap-2 sm:col-span-3">
      <input id={id} name="vision" type="checkbox" defaultChecked={defaultChecked} className="size-4" />
      <Label htmlFor={id}>Reads images (attached images are sent to it)</Label>
    </div>
  );
}

function ModelEditor({ model, onDone }: { model: ModelRow; onDone: () => void }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    try {
      await adminRequest("/api/admin/models", "PATCH", {
        id: model.id,
        changes: {
          label: String(form.get("label")),
          provider: String(form.get("provider")),
          inputMillicreditsPer1k: Number(form.get("inputMillicreditsPer1k")),
          outputMillicreditsPer1k: Number(form.get("outputMillicreditsPer1k")),
          contextWindowTokens: Number(form.get("contextWindowTokens")),
          vision: form.get("vision") === "on",
        },
      });
      onDone();
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  return (
    <form onSubmit={save} className="grid gap-2 sm:grid-cols-3">
      {FIELDS.filter((f) => f.name !== "id").map((f) => (
        <div key={f.name} className="space-y-1">
          <Label htmlFor={`${model.id}-${f.name}`}>{f.label}</Label>
          <Input
            id={`${model.id}-${f.name}`}
            name={f.name}
            defaultValue={String(model[f.name])}
            inputMode={"numeric" in f ? "numeric" : undefined}
            required
          />
        </div>
      ))}
      <VisionCheckbox id={`${model.id}-vision`} defaultChecked={model.vision} />
      <div className="flex items-end gap-2 sm:col-span-3">
        <Button type="submit" size="sm">
          Save
        </Button>
        <Button type="button" size="sm" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
        {error && (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}

export function ModelCatalog({ models }: { models: ModelRow[] }) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  async function toggle(model: ModelRow) {
    setError(null);
    try {
      await adminRequest("/api/admin/models", "PATCH", { id: model.id, changes: { enabled: !model.enabled } });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const target = e.currentTarget;
    setError(null);
    try {
      await adminRequest("/api/admin/models", "POST", {
        id: String(form.get("id")),
        label: String(form.get("label")),
        provider: String(form.get("provider")),
        inputMillicreditsPer1k: Number(form.get("inputMillicreditsPer1k")),
        outputMillicreditsPer1k: Number(form.get("outputMillicreditsPer1k")),
        contextWindowTokens: Number(form.get("contextWindowTokens")),
        vision: form.get("vision") === "on",
      });
      target.reset();
      setAdding(false);
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <div className="space-y-4">
      <div className="overflow-x-auto rounded-md border">
        <table className="w-full text-sm">
          <thead className="bg-muted/50 text-left text-muted-foreground">
            <tr>
              <th className="px-3 py-2 font-medium">Model</th>
              <th className="px-3 py-2 font-medium">Provider</th>
              <th className="px-3 py-2 text-right font-medium">Input / 1k</th>
              <th className="px-3 py-2 text-right font-medium">Output / 1k</th>
              <th className="px-3 py-2 text-right font-medium">Context</th>
              <th className="px-3 py-2 font-medium">Status</th>
              <th className="px-3 py-2" />
            </tr>
          </thead>
          <tbody>
            {models.map((m) =>
              editing === m.id ? (
                <tr key={m.id} className="border-t">
                  <td colSpan={7} className="px-3 py-3">
                    <p className="mb-2 font-medium">{m.id}</p>
                    <ModelEditor model={m} onDone={() => setEditing(null)} />
                  </td>
                </tr>
              ) : (
                <tr key={m.id} className="border-t" data-testid="admin-model-row">
                  <td className="px-3 py-2">
                    <div className="font-medium">{m.label}</div>
                    <code className="text-xs text-muted-foreground">{m.id}</code>
                  </td>
                  <td className="px-3 py-2">{m.provider}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{m.inputMillicreditsPer1k}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{m.outputMillicreditsPer1k}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{m.contextWindowTokens.toLocaleString("en-US")}</td>
                  <td className="px-3 py-2">
                    {m.enabled ? "enabled" : <span className="text-destructive">disabled</span>}
                    {m.vision && <span className="ml-2 text-xs text-muted-foreground">· images</span>}
                  </td>
                  <td className="px-3 py-2 text-right whitespace-nowrap">
                    <Button size="sm" variant="ghost" onClick={() => setEditing(m.id)}>
                      Edit
                    </Button>
                    <Button size="sm" variant="outline" onClick={() => toggle(m)}>
                      {m.enabled ? "Disable" : "Enable"}
                    </Button>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      {error && (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      )}
      {adding ? (
        <form onSubmit={add} className="grid gap-3 rounded-md border p-4 sm:grid-cols-3">
          {FIELDS.map((f) => (
            <div key={f.name} className="space-y-1">
              <Label htmlFor={`new-${f.name}`}>{f.label}</Label>
              <Input
                id={`new-${f.name}`}
                name={f.name}
                placeholder={f.placeholder}
                inputMode={"numeric" in f ? "numeric" : undefined}
                required
              />
            </div>
          ))}
          <VisionCheckbox id="new-vision" defaultChecked={false} />
          <div className="flex gap-2 sm:col-span-3">
            <Button type="submit">Add model</Button>
            <Button type="button" variant="ghost" onClick={() => setAdding(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <Button variant="outline" onClick={() => setAdding(true)}>
          Add a model
        </Button>
      )}
    </div>
  );
}
