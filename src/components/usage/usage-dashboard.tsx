"use client";

import { useCallback, useEffect, useState, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { CreditsByChart, CreditsPerDayChart, TokensPerDayChart } from "./usage-charts.tsx";
import { fetchUsage, lastDays, type UsageReport } from "./usage-api.ts";

const RANGES = [7, 30, 90] as const;
type Range = (typeof RANGES)[number];

interface Reports {
  day: UsageReport;
  agent: UsageReport;
  model: UsageReport;
}

const num = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

export function UsageDashboard() {
  const [range, setRange] = useState<Range>(30);
  const [reports, setReports] = useState<Reports | null>(null);
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    setReports(null);
    setError(undefined);
    const dates = lastDays(range);
    try {
      const [day, agent, model] = await Promise.all([fetchUsage(dates, "day"), fetchUsage(dates, "agent"), fetchUsage(dates, "model")]);
      setReports({ day, agent, model });
    } catch (e) {
      setError((e as Error).message);
    }
  }, [range]);

  useEffect(() => {
    void load();
  }, [load]);

  const totals = reports?.day.totals;
  return (
    <div className="grid gap-6">
      <div role="group" aria-label="Period" className="inline-flex w-fit rounded-md border p-0.5">
        {RANGES.map((days) => (
          <Button
            key={days}
            size="sm"
            variant={range === days ? "secondary" : "ghost"}
            aria-pressed={range === days}
            onClick={() => setRange(days)}
          >
            Last {days} days
          </Button>
        ))}
      </div>
      {error && (
        <Alert variant="destructive">
          Could not load usage: {error}{" "}
          <Button size="sm" variant="outline" onClick={load}>
            Try again
          </Button>
        </Alert>
      )}
      {!reports && !error && <p className="text-sm text-muted-foreground">Loading usage…</p>}
      {reports && totals && (
        <>
          <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4" aria-label="Totals">
            {[
              { label: "Credits used", value: num(totals.credits, 2), testId: "total-credits" },
              { label: "Input tokens", value: num(totals.inputTokens), testId: "total-input" },
              { label: "Output tokens", value: num(totals.outputTokens), testId: "total-output" },
              { label: "Model steps", value: num(totals.modelSteps), testId: "total-steps" },
            ].map((t) => (
              <Card key={t.label} className="p-4">
                <dt className="text-sm text-muted-foreground">{t.label}</dt>
                <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid={t.testId}>
                  {t.value}
                </dd>
              </Card>
            ))}
          </dl>
          {totals.credits === 0 && totals.modelSteps === 0 ? (
            <p className="rounded-xl border border-dashed p-10 text-center text-sm text-muted-foreground" data-testid="usage-empty">
              No usage in the last {range} days. Chat with an agent and its usage shows up here.
            </p>
          ) : (
            <div className="grid gap-4 lg:grid-cols-2">
              <ChartCard title="Credits per day" description={`${reports.day.from} to ${reports.day.to} (UTC)`} testId="chart-credits-day">
                <CreditsPerDayChart rows={reports.day.rows} />
              </ChartCard>
              <ChartCard title="Tokens per day" description="Input and output tokens sent to and from models" testId="chart-tokens-day">
                <TokensPerDayChart rows={reports.day.rows} />
              </ChartCard>
              <ChartCard title="Credits per agent" description={`${reports.agent.rows.length} agent(s)`} testId="chart-agents">
                <CreditsByChart rows={reports.agent.rows} />
                <Breakdown rows={reports.agent.rows} label="Agent" />
              </ChartCard>
              <ChartCard title="Credits per model" description="Sandbox time has no model" testId="chart-models">
                <CreditsByChart rows={reports.model.rows} />
                <Breakdown rows={reports.model.rows} label="Model" />
              </ChartCard>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function ChartCard({ title, description, testId, children }: { title: string; description: string; testId: string; children: ReactNode }) {
  return (
    <Card data-testid={testId}>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">{children}</CardContent>
    </Card>
  );
}

function Breakdown({ rows, label }: { rows: UsageReport["rows"]; label: string }) {
  return (
    <table className="w-full text-sm" aria-label={`Usage per ${label.toLowerCase()}`}>
      <thead className="text-left text-muted-foreground">
        <tr>
          <th className="py-1 font-medium">{label}</th>
          <th className="py-1 text-right font-medium">Credits</th>
          <th className="py-1 text-right font-medium">Tokens in / out</th>
        </tr>
      </thead>
      <tbody className="divide-y">
        {rows.map((r) => (
          <tr key={r.key ?? "none"}>
            <td className="max-w-48 truncate py-1" title={r.label}>
              {r.label}
            </td>
            <td className="py-1 text-right tabular-nums">{num(r.credits, 2)}</td>
            <td className="py-1 text-right tabular-nums">
              {num(r.inputTokens)} / {num(r.outputTokens)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
