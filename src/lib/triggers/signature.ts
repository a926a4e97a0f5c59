import { Unauthorized } from "../errors.ts";

/**
 * Webhook signatures, in the form Stripe made familiar: `X-Netm8-Signature: t=<unix seconds>,v1=<hex>` where v1 is
 * HMAC-SHA256 with the webhook's secret over `<t>.<raw body>`. A signature older or newer than the replay window is
 * refused, so a captured request cannot be sent again later; inside the window the delivery store refuses it.
 */
export const SIGNATURE_HEADER = "x-netm8-signature";
export const REPLAY_WINDOW_SECONDS = 300;

const encoder = new TextEncoder();

async function hmacHex(secret: string, payload: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(payload)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The header value that signs `body` at `timestampSeconds` (what a sender computes; tests and docs use it). */
export async function signWebhook(secret: string, timestampSeconds: number, body: string): Promise<string> {
  return `t=${timestampSeconds},v1=${await hmacHex(secret, `${timestampSeconds}.${body}`)}`;
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks a request's signature header against the body; returns the signature, which names this delivery (an exact
 * replay carries the same one). Throws Unauthorized (401) saying what is wrong: missing, malformed, outside the
 * replay window, or not matching.
 */
export async function verifyWebhookSignature(secret: string, header: string | null, body: string, nowMs: number): Promise<string> {
  if (!header) throw new Unauthorized(`Unsigned request: send the ${SIGNATURE_HEADER} header (t=<unix seconds>,v1=<HMAC-SHA256 hex>)`);
  const fields = new Map(
    header.split(",").map((part) => {
      const [name, ...value] = part.trim().split("=");
      return [name, value.join("=")] as const;
    }),
  );
  const timestamp = Number(fields.get("t"));
  const given = fields.get("v1") ?? "";
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) {
    throw new Unauthorized(`Malformed ${SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<HMAC-SHA256 hex>`);
  }
  if (Math.abs(nowMs / 1000 - timestamp) > REPLAY_WINDOW_SECONDS) {
    throw new Unauthorized(
      `The signature's timestamp is more than ${REPLAY_WINDOW_SECONDS} seconds away from now: sign each request when you send it`,
    );
  }
  const expected = await hmacHex(secret, `${timestamp}.${body}`);
  if (!constantTimeEqual(given, expected)) throw new Unauthorized("Wrong signature: sign `<t>.<raw body>` with the webhook's secret");
  return given;
}
