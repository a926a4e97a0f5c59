import { describe, expect, it } from "vitest";
import { CREDIT_PACKAGES, findPackage, formatPrice, packageMillicredits } from "../../src/lib/billing/packages.ts";

describe("the credit packages", () => {
  it("sell 500 credits for $5, 1200 for $10 and 3000 for $20, in dollars", () => {
    expect(CREDIT_PACKAGES.map((p) => [p.id, p.credits, formatPrice(p.priceCents, p.currency)])).toEqual([
      ["starter", 500, "$5.00"],
      ["standard", 1200, "$10.00"],
      ["pro", 3000, "$20.00"],
    ]);
  });

  it("give larger packages more credits per dollar", () => {
    const perDollar = CREDIT_PACKAGES.map((p) => p.credits / (p.priceCents / 100));
    expect(perDollar).toEqual([...perDollar].sort((a, b) => a - b));
    expect(new Set(perDollar).size).toBe(3);
  });

  it("grant whole milli-credits and know no other package ids", () => {
    expect(packageMillicredits(findPackage("standard")!)).toBe(1_200_000);
    expect(findPackage("free-money")).toBeUndefined();
  });
});
