const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

const num = (field: string) => (/^\d+$/.test(field) ? Number(field) : null);
const time = (h: number, m: number) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;

/** A five-field cron expression in words for the common shapes; anything else is shown as it is. */
export function describeCron(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return "Not a five-field cron expression";
  const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string];
  const m = num(minute);
  const h = num(hour);
  const every = /^\*\/(\d+)$/.exec(minute);
  if (every && hour === "*" && day === "*" && month === "*" && weekday === "*") return `Every ${every[1]} minutes`;
  if (minute === "*" && hour === "*" && day === "*" && month === "*" && weekday === "*") return "Every minute";
  if (m !== null && hour === "*" && day === "*" && month === "*" && weekday === "*")
    return m === 0 ? "Every hour, on the hour" : `Every hour at ${m} past`;
  if (m !== null && h !== null && month === "*") {
    if (day === "*" && weekday === "*") return `Every day at ${time(h, m)}`;
    if (day === "*" && weekday === "1-5") return `Every weekday at ${time(h, m)}`;
    const wd = num(weekday);
    if (day === "*" && wd !== null && wd <= 7) return `Every ${DAYS[wd % 7]} at ${time(h, m)}`;
    const d = num(day);
    if (d !== null && weekday === "*") return `Every month on day ${d} at ${time(h, m)}`;
  }
  return `Cron ${expression.trim()}`;
}

export const CRON_PRESETS = [
  { label: "Every hour", cron: "0 * * * *" },
  { label: "Every day at 09:00", cron: "0 9 * * *" },
  { label: "Weekdays at 09:00", cron: "0 9 * * 1-5" },
  { label: "Mondays at 09:00", cron: "0 9 * * 1" },
];
