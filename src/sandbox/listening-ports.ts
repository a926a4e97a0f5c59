/** A TCP port something listens on inside a workspace, with the addresses it is bound to. */
export type ListeningPort = { port: number; addresses: string[] };

/** The kernel's socket state for a listening TCP socket in /proc/net/tcp{,6}. */
const TCP_LISTEN = "0A";

/**
 * Reads the listening sockets out of the text of /proc/net/tcp and /proc/net/tcp6 (one table after the other),
 * one entry per port, sorted by port. Lines that do not parse are skipped.
 */
export function parseListeningSockets(tables: string): ListeningPort[] {
  const ports = new Map<number, Set<string>>();
  for (const line of tables.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== TCP_LISTEN) continue;
    const [hexAddress, hexPort] = (fields[1] ?? "").split(":");
    const port = Number.parseInt(hexPort ?? "", 16);
    if (!hexAddress || !Number.isInteger(port) || port < 1 || port > 65535) continue;
    const address = hexAddress.length === 8 ? ipv4(hexAddress) : hexAddress.length === 32 ? ipv6(hexAddress) : null;
    if (address === null) continue;
    if (!ports.has(port)) ports.set(port, new Set());
    ports.get(port)!.add(address);
  }
  return [...ports].sort(([a], [b]) => a - b).map(([port, addresses]) => ({ port, addresses: [...addresses].sort() }));
}

/** /proc/net/tcp writes an IPv4 address as one 32-bit word in the host's (little-endian) byte order. */
function ipv4(hex: string): string | null {
  const bytes = hex.match(/../g)?.map((b) => Number.parseInt(b, 16));
  if (!bytes || bytes.some((b) => Number.isNaN(b))) return null;
  return bytes.reverse().join(".");
}

/** Four such words for IPv6; written in the usual compressed form (`::`, `::1`, `::ffff:...` kept as groups). */
function ipv6(hex: string): string | null {
  const words = hex.match(/.{8}/g);
  if (!words) return null;
  const groups: string[] = [];
  for (const word of words) {
    const bytes = word.match(/../g)!.reverse().join("");
    groups.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const numbers = groups.map((g) => Number.parseInt(g, 16));
  if (numbers.some((n) => Number.isNaN(n))) return null;
  const text = numbers.map((n) => n.toString(16)).join(":");
  // The longest run of zero groups becomes "::".
  const runs = [...`:${text}:`.matchAll(/:(0:)+/g)].sort((a, b) => b[0].length - a[0].length);
  const longest = runs[0];
  if (!longest || longest[0].length < 4) return text;
  const padded = `:${text}:`;
  const compressed = `${padded.slice(0, longest.index)}::${padded.slice(longest.index + longest[0].length)}`;
  return compressed.replace(/^:(?!:)/, "").replace(/(?<!:):$/, "");
}
