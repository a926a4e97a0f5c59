"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { UsageRow } from "./usage-api.ts";

const PRIMARY = "var(--color-primary)";
const SECONDARY = "oklch(0.7 0.15 160)";
const tick = { fontSize: 12, fill: "var(--color-muted-foreground)" };
const tooltipStyle = { background: "var(--color-card)", border: "1px solid var(--color-border)", borderRadius: 6, fontSize: 12 };
const shortDay = (key: string) =>
  new Date(`${key}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const compact = (n: number) => n.toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 1 });

export function CreditsPerDayChart({ rows }: { rows: UsageRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis dataKey="key" tickFormatter={shortDay} tick={tick} minTickGap={16} />
        <YAxis tick={tick} tickFormatter={compact} width={48} />
        <Tooltip
          contentStyle={tooltipStyle}
          labelFormatter={(k) => shortDay(String(k))}
          formatter={(v) => [Number(v).toLocaleString("en-US", { maximumFractionDigits: 2 }), "Credits"]}
        />
        <Bar dataKey="credits" name="Credits" fill={PRIMARY} radius={[3, 3, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function TokensPerDayChart({ rows }: { rows: UsageRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis dataKey="key" tickFormatter={shortDay} tick={tick} minTickGap={16} />
        <YAxis tick={tick} tickFormatter={compact} width={48} />
        <Tooltip
          contentStyle={tooltipStyle}
          labelFormatter={(k) => shortDay(String(k))}
          formatter={(v, name) => [Number(v).toLocaleString("en-US"), name]}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="inputTokens" name="Input tokens" stackId="tokens" fill={PRIMARY} isAnimationActive={false} />
        <Bar
          dataKey="outputTokens"
          name="Output tokens"
          stackId="tokens"
          fill={SECONDARY}
          radius={[3, 3, 0, 0]}
          isAnimationActive={false}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Credits per agent or per model, largest first, as horizontal bars. */
export function CreditsByChart({ rows }: { rows: UsageRow[] }) {
  const height = Math.max(120, rows.length * 36 + 40);
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid horizontal={false} strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis type="number" tick={tick} tickFormatter={compact} />
        <YAxis type="category" dataKey="label" tick={tick} width={120} />
        <Tooltip
          contentStyle={tooltipStyle}
          formatter={(v) => [Number(v).toLocaleString("en-US", { maximumFractionDigits: 2 }), "Credits"]}
        />
        <Bar dataKey="credits" name="Credits" fill={PRIMARY} radius={[0, 3, 3, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
