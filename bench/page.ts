// Chat page load benchmark in real Chromium against `npm start`: a signed-in user opens /agents/<id> (which opens
// the agent's latest thread) with a cold cache (a new browser context per load). Time to interactive is navigation
// start → the page is hydrated AND the chat's WebSocket is open (the composer form says data-connected="true") AND
// its message box is enabled, read from performance.now() in the page by a MutationObserver installed before any
// script runs. Also DOMContentLoaded and the load event (Navigation Timing), and the JavaScript shipped: every
// script response's bytes on the wire, decoded, and gzipped (gzip -6 of the decoded body). Reference in the same run:
// the landing page `/` (signed out), interactive once hydrated.
import { gzipSync } from "node:zlib";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Response } from "playwright-core";
import { startModelServer } from "../fakes/model-server.ts";
import { startPlatform } from "../scripts/lib/harness/platform.ts";
import { signUpVerifiedUser, type TestUser } from "../scripts/lib/harness/users.ts";
import { formatMeasures, round, summarize, type Measure } from "./lib/stats.ts";

export interface PageBenchOptions {
  runs?: number;
}

interface LoadSample {
  ttiMs: number;
  hydratedMs: number;
  domContentLoadedMs: number;
  loadMs: number;
  scripts: number;
  jsEncodedBytes: number;
  jsDecodedBytes: number;
  jsGzipBytes: number;
}

// The same flags as the browser tests (tests/support/browser.ts): Debian's Chromium, headless, offline machine.
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

// Runs in the page before its own scripts: records when it became hydrated and when the chat became usable.
const READINESS_PROBE = `(() => {
  const marks = (window.__pageBench = {});
  const check = () => {
    if (marks.hydrated === undefined && document.documentElement.dataset.hydrated === "true") marks.hydrated = performance.now();
    if (marks.chatReady === undefined) {
      const box = document.querySelector('form[data-connected="true"] textarea');
      if (box && !box.disabled) marks.chatReady = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();`;

async function measureLoad(browser: Browser, url: string, options: { user?: TestUser; chat: boolean }): Promise<LoadSample> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    extraHTTPHeaders: options.user ? { "cf-connecting-ip": options.user.headers()["cf-connecting-ip"]! } : {},
  });
  try {
    if (options.user) {
      const base = new URL(url).origin;
      await context.addCookies(
        options.user.cookie.split("; ").map((pair) => {
          const eq = pair.indexOf("=");
          return { name: pair.slice(0, eq), value: pair.slice(eq + 1), url: base, httpOnly: true, sameSite: "Lax" as const };
        }),
      );
    }
    await context.addInitScript(READINESS_PROBE);
    const page = await context.newPage();
    const scripts: Response[] = [];
    page.on("response", (response) => {
      if (response.request().resourceType() === "script") scripts.push(response);
    });
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    await page.waitForFunction(
      (chat) => {
        const marks = (window as unknown as { __pageBench?: { hydrated?: number; chatReady?: number } }).__pageBench;
        return marks?.hydrated !== undefined && (!chat || marks.chatReady !== undefined);
      },
      options.chat,
      { timeout: 60_000, polling: 50 },
    );
    const timing = await page.evaluate(() => {
      const marks = (window as unknown as { __pageBench: { hydrated: number; chatReady?: number } }).__pageBench;
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return {
        hydrated: marks.hydrated,
        chatReady: marks.chatReady,
        domContentLoaded: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
      };
    });
    let jsEncodedBytes = 0;
    let jsDecodedBytes = 0;
    let jsGzipBytes = 0;
    for (const response of scripts) {
      const body = await response.body().catch(() => Buffer.alloc(0));
      const sizes = await response
        .request()
        .sizes()
        .catch(() => ({ responseBodySize: body.length }));
      jsEncodedBytes += sizes.responseBodySize;
      jsDecodedBytes += body.length;
      jsGzipBytes += gzipSync(body, { level: 6 }).length;
    }
    return {
      ttiMs: Math.max(timing.hydrated, timing.chatReady ?? 0),
      hydratedMs: timing.hydrated,
      domContentLoadedMs: timing.domContentLoaded,
      loadMs: timing.load,
      scripts: scripts.length,
      jsEncodedBytes,
      jsDecodedBytes,
      jsGzipBytes,
    };
  } finally {
    await context.close();
  }
}

const kib = (bytes: number) => round(bytes / 1024);

export async function benchPage(options: PageBenchOptions = {}): Promise<Measure[]> {
  const runs = options.runs ?? 20;
  const model = await startModelServer();
  const platform = await startPlatform({ env: { LLM_BASE_URL: model.url } });
  let browser: Browser | undefined;
  try {
    const user = await signUpVerifiedUser(platform.url, { name: "Page bench" });
    const { agents } = (await (await fetch(`${platform.url}/api/agent`, { headers: user.headers() })).json()) as {
      agents: { id: string }[];
    };
    const agentId = agents[0]!.id;
    // One thread exists, so every load of /agents/<id> opens it rather than the first one creating it.
    const created = await fetch(`${platform.url}/api/agent/${agentId}/threads`, { method: "POST", headers: user.headers() });
    if (!created.ok) throw new Error(`could not create a thread: ${created.status}`);
    const threadId = ((await created.json()) as { id: string }).id;
    browser = await launchChromium();
    const chatUrl = `${platform.url}/agents/${agentId}`;
    const threadUrl = `${platform.url}/agents/${agentId}/threads/${threadId}`;
    const landingUrl = `${platform.url}/`;
    // One load of each first, so server-side first-request costs (module loading in workerd) are not counted.
    await measureLoad(browser, chatUrl, { user, chat: true });
    await measureLoad(browser, landingUrl, { chat: false });
    const chat: LoadSample[] = [];
    const thread: LoadSample[] = [];
    const landing: LoadSample[] = [];
    for (let i = 0; i < runs; i++) {
      chat.push(await measureLoad(browser, chatUrl, { user, chat: true }));
      thread.push(await measureLoad(browser, threadUrl, { user, chat: true }));
      landing.push(await measureLoad(browser, landingUrl, { chat: false }));
    }
    const of = (samples: LoadSample[], key: keyof LoadSample) => summarize(samples.map((s) => s[key]));
    const chatTti = of(chat, "ttiMs");
    const landingTti = of(landing, "ttiMs");
    const chatGzip = of(chat, "jsGzipBytes");
    const landingGzip = of(landing, "jsGzipBytes");
    const chatDecoded = of(chat, "jsDecodedBytes");
    const chatEncoded = of(chat, "jsEncodedBytes");
    const chatScripts = of(chat, "scripts");
    return [
      {
        name: "chat page /agents/<id> time to interactive (hydrated, chat WebSocket open, input enabled; cold cache)",
        unit: "ms",
        ...chatTti,
        target: "median <= 1500 ms (ours)",
        met: chatTti.median <= 1500,
        reference: { name: "landing page hydrated", median: landingTti.median },
        note: `hydrated at ${of(chat, "hydratedMs").median} ms (median); /agents/<id> answers with a server redirect to the newest thread, which is included; landing page p95 ${landingTti.p95} ms`,
      },
      {
        name: "thread page /agents/<id>/threads/<tid> time to interactive (same definition; no redirect)",
        unit: "ms",
        ...of(thread, "ttiMs"),
        target: "median <= 1500 ms (ours)",
        met: of(thread, "ttiMs").median <= 1500,
        reference: { name: "landing page hydrated", median: landingTti.median },
        note: `hydrated at ${of(thread, "hydratedMs").median} ms (median)`,
      },
      {
        name: "chat page DOMContentLoaded",
        unit: "ms",
        ...of(chat, "domContentLoadedMs"),
        reference: { name: "landing page DOMContentLoaded", median: of(landing, "domContentLoadedMs").median },
      },
      {
        name: "chat page load event",
        unit: "ms",
        ...of(chat, "loadMs"),
        reference: { name: "landing page load event", median: of(landing, "loadMs").median },
      },
      {
        name: "chat page JavaScript shipped, gzipped",
        unit: "KiB",
        median: kib(chatGzip.median),
        n: chatGzip.n,
        target: "<= 500 KiB gzipped (ours)",
        met: chatGzip.median <= 500 * 1024,
        reference: { name: "landing page JS gzipped", median: kib(landingGzip.median) },
        note: `${chatScripts.median} scripts, ${kib(chatDecoded.median)} KiB decoded, ${kib(chatEncoded.median)} KiB on the wire (as wrangler dev serves them); landing page ${kib(of(landing, "jsDecodedBytes").median)} KiB decoded`,
      },
    ];
  } finally {
    await browser?.close();
    await platform.stop();
    await model.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const measures = await benchPage({ runs: Number(process.env.RUNS ?? 20) });
  console.log(formatMeasures(measures));
  for (const m of measures) if (m.note) console.log(`- ${m.name}: ${m.note}`);
}
