/** Credits (as the API returns them) for people: up to two decimals. */
export function credits(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** "$10.00" */
export function money(cents: number, currency = "usd"): string {
  return (cents / 100).toLocaleString("en-US", { style: "currency", currency: currency.toUpperCase() });
}

export function day(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
