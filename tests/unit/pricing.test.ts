import { describe, expect, it } from "vitest";
import { billedComputeMs, sandboxCost, stepCost, stepMaxCost } from "../../src/lib/billing/pricing.ts";
import { formatCredits, monthKey, toCredits } from "../../src/lib/billing/rules.ts";

const gptOss = { id: "gpt-oss:20b", inputMillicreditsPer1k: 200, outputMillicreditsPer1k: 600 };

describe("pricing", () => {
  it("makes a typical chat turn of a few thousand tokens cost about one credit", () => {
    const cost = stepCost(gptOss, { inputTokens: 3000, outputTokens: 500 });
    expect(cost).toBe(900);
    expect(toCredits(cost)).toBeGreaterThan(0.5);
    expect(toCredits(cost)).toBeLessThan(1.5);
  });

  it("reserves the input plus the step's whole output cap, which bounds the real cost", () => {
    const max = stepMaxCost(gptOss, 3000, 4096);
    expect(max).toBe(600 + Math.ceil((4096 * 600) / 1000));
    expect(stepCost(gptOss, { inputTokens: 3000, outputTokens: 4096 })).toBeLessThanOrEqual(max);
  });

  it("rounds up so that no step is free by rounding", () => {
    expect(stepCost(gptOss, { inputTokens: 1, outputTokens: 0 })).toBe(1);
    expect(stepCost(gptOss, { inputTokens: 0, outputTokens: 0 })).toBe(0);
  });

  it("bills sandbox compute per CPU millisecond, 0.2 credits a CPU-minute, rounded up", () => {
    expect(sandboxCost(0)).toBe(0);
    expect(sandboxCost(1)).toBe(1);
    expect(sandboxCost(300)).toBe(1);
    expect(sandboxCost(301)).toBe(2);
    expect(sandboxCost(60_000)).toBe(200);
  });

  it("bills the CPU time a backend measured, else the wall-clock time", () => {
    expect(billedComputeMs({ durationMs: 5000, cpuMs: 12 })).toBe(12);
    expect(billedComputeMs({ durationMs: 5000, cpuMs: 0 })).toBe(0);
    expect(billedComputeMs({ durationMs: 5000 })).toBe(5000);
  });
});

describe("credit rules", () => {
  it("keys the monthly allowance by UTC calendar month", () => {
    expect(monthKey(new Date("2026-11-30T23:59:59Z"))).toBe("2026-11");
    expect(monthKey(new Date("2026-12-01T00:00:00Z"))).toBe("2026-12");
  });

  it("shows credits to people with at most two decimals, and to the API with three", () => {
    expect(formatCredits(1234)).toBe("1.23");
    expect(formatCredits(50_000)).toBe("50");
    expect(toCredits(1234)).toBe(1.234);
  });
});
