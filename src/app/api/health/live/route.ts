export const dynamic = "force-dynamic";

// Answers at once without touching any storage: the reference request for latency benchmarks.
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
