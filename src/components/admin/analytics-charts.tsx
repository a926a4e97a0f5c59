"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import type { AnalyticsDay, PlatformAnalytics } from "@/lib/admin/analytics.ts";
import { formatCents, formatNumber } from "./format.ts";

const PRIMARY = "var(--color-primary)";
const SECONDARY = "oklch(0.7 0.15 160)";
const TERTIARY = "oklch(0.7 0.15 40)";
const tick = { fontSize: 12, fill: "var(--color-muted-foreground)" };
const tooltipStyle = { background: "var(--color-card)", border: "1px solid var(--color-border)", borderRadius: 6, fontSize: 12 };
const shortDay = (key: string) =>
  new Date(`${key}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const compact = (n: number) => n.toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 1 });

type Series = { key: keyof AnalyticsDay; name: string; color: string }[];

function DayBars({
  days,
  series,
  format = (n: number) => formatNumber(n),
}: {
  days: AnalyticsDay[];
  series: Series;
  format?: (n: number) => string;
}) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={tick} minTickGap={16} />
        <YAxis tick={tick} tickFormatter={compact} width={48} />
        <Tooltip
          contentStyle={tooltipStyle}
          labelFormatter={(k) => shortDay(String(k))}
          formatter={(v, name) => [format(Number(v)), name]}
        />
        {series.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
        {series.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.color} radius={[3, 3, 0, 0]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

function DayLines({ days, series }: { days: AnalyticsDay[]; series: Series }) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={tick} minTickGap={16} />
        <YAxis tick={tick} tickFormatter={compact} width={48} allowDecimals={false} />
        <Tooltip contentStyle={tooltipStyle} labelFormatter={(k) => shortDay(String(k))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {series.map((s) => (
          <Line key={s.key} type="monotone" dataKey={s.key} name={s.name} stroke={s.color} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

function ChartCard({ title, total, children }: { title: string; total: string; children: React.ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex items-baseline justify-between gap-2 text-base">
          <span>{title}</span>
          <span className="text-sm font-normal text-muted-foreground">{total}</span>
        </CardTitle>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

export function AnalyticsCharts({ report }: { report: PlatformAnalytics }) {
  const { days, totals } = report;
  return (
    <div className="grid gap-4 lg:grid-cols-2" data-testid="admin-analytics">
      <ChartCard title="Users" total={`${formatNumber(totals.signUps, 0)} sign-ups · ${formatNumber(totals.users, 0)} users in all`}>
        <DayLines
          days={days}
          series={[
            { key: "signUps", name: "Sign-ups", color: PRIMARY },
            { key: "activeUsers", name: "Active users", color: SECONDARY },
          ]}
        />
      </ChartCard>
      <ChartCard title="Model steps" total={`${formatNumber(totals.modelSteps, 0)} in range`}>
        <DayBars days={days} series={[{ key: "modelSteps", name: "Model steps", color: PRIMARY }]} format={(n) => formatNumber(n, 0)} />
      </ChartCard>
      <ChartCard title="Tokens" total={`${formatNumber(totals.tokens, 0)} in range`}>
        <DayBars days={days} series={[{ key: "tokens", name: "Tokens", color: SECONDARY }]} format={(n) => formatNumber(n, 0)} />
      </ChartCard>
      <ChartCard
        title="Credits"
        total={`${formatNumber(totals.creditsUsed)} used · ${formatNumber(totals.creditsSold)} sold · ${formatNumber(totals.creditsGranted)} granted`}
      >
        <DayBars
          days={days}
          series={[
            { key: "creditsGranted", name: "Granted", color: SECONDARY },
            { key: "creditsSold", name: "Sold", color: PRIMARY },
            { key: "creditsUsed", name: "Used", color: TERTIARY },
          ]}
        />
      </ChartCard>
      <ChartCard title="Revenue" total={formatCents(totals.revenueCents)}>
        <DayBars days={days} series={[{ key: "revenueCents", name: "Revenue", color: PRIMARY }]} format={formatCents} />
      </ChartCard>
    </div>
  );
}
