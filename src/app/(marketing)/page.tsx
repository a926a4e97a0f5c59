import { Bot, Clock, Code2, Globe, Layers, Shield } from "lucide-react";
import Link from "next/link";
import { currentSession } from "@/components/auth/current-session.ts";
import { Brand } from "@/components/shell/brand.tsx";
import { ThemeToggle } from "@/components/shell/theme-toggle.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";

const FEATURES = [
  {
    icon: Bot,
    title: "Agents that remember",
    text: "Every agent keeps its conversations, memory notes and workspace, across days and devices.",
  },
  { icon: Code2, title: "A real sandbox", text: "Run code, edit files, manage processes and use git in an isolated workspace of its own." },
  { icon: Globe, title: "Live previews", text: "Start a dev server and open it at once through a private preview link." },
  {
    icon: Clock,
    title: "Works for hours",
    text: "Give it a goal and a budget; it keeps going when you close the tab, on a schedule if you like.",
  },
  { icon: Layers, title: "Start from templates", text: "Next.js, React and Vue starters, installed and running in one step." },
  {
    icon: Shield,
    title: "Teams and credits",
    text: "Share agents with your team, with roles, and pay only for what they use: 50 free credits a month.",
  },
];

export const dynamic = "force-dynamic";

export default async function LandingPage({ searchParams }: { searchParams: Promise<{ deleted?: string }> }) {
  const [signedIn, { deleted }] = await Promise.all([currentSession().then(Boolean), searchParams]);
  return (
    <div className="min-h-dvh">
      <header className="mx-auto flex max-w-6xl items-center justify-between gap-2 px-4 py-4">
        <Brand />
        <div className="flex items-center gap-1 sm:gap-2">
          <ThemeToggle />
          {signedIn ? (
            <Button asChild>
              <Link href="/agents">Open your agents</Link>
            </Button>
          ) : (
            <>
              <Button variant="ghost" asChild>
                <Link href="/sign-in">Sign in</Link>
              </Button>
              <Button asChild>
                <Link href="/sign-up">Get started</Link>
              </Button>
            </>
          )}
        </div>
      </header>
      {deleted && (
        <p role="status" className="mx-auto max-w-6xl px-4 text-sm text-muted-foreground">
          Your account was deleted. Thank you for trying netM8.
        </p>
      )}
      <main className="mx-auto max-w-6xl px-4">
        <section className="py-16 text-center sm:py-24">
          <h1 className="mx-auto max-w-3xl text-4xl font-bold tracking-tight sm:text-6xl">
            Persistent AI agents that build, run and remember
          </h1>
          <p className="mx-auto mt-6 max-w-2xl text-lg text-muted-foreground">
            netM8 gives you and your team autonomous agents with their own sandbox: they write code, run it, serve a live preview and keep
            working while you are away.
          </p>
          <div className="mt-8 flex flex-wrap justify-center gap-3">
            <Button size="lg" asChild>
              <Link href="/sign-up">Start with 50 free credits</Link>
            </Button>
            <Button size="lg" variant="outline" asChild>
              <Link href="/agents">Open your agents</Link>
            </Button>
          </div>
        </section>
        <section aria-label="Features" className="grid gap-4 pb-24 sm:grid-cols-2 lg:grid-cols-3">
          {FEATURES.map(({ icon: Icon, title, text }) => (
            <Card key={title}>
              <CardHeader>
                <Icon className="size-5 text-primary" />
                <CardTitle className="mt-2">{title}</CardTitle>
              </CardHeader>
              <CardContent>
                <CardDescription>{text}</CardDescription>
              </CardContent>
            </Card>
          ))}
        </section>
      </main>
      <footer className="border-t py-6 text-center text-sm text-muted-foreground">netM8 · agents on Cloudflare</footer>
    </div>
  );
}
