export const formatDateTime = (iso: string | null) =>
  iso ? `${new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC` : "never";

export const formatNumber = (n: number, digits = 2) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

export const formatCents = (cents: number) => (cents / 100).toLocaleString("en-US", { style: "currency", currency: "USD" });
