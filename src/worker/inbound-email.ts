import type { Env } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import { MAX_INBOUND_EMAIL_BYTES, parseInboundEmail } from "../lib/triggers/inbound-email.ts";
import { receiveAgentEmail } from "../operations/triggers.ts";

/**
 * The Worker's `email` handler (Cloudflare Email Routing, a catch-all rule for the inbound domain sending to this
 * Worker): the envelope recipient names the agent's email trigger. A message that starts no task is rejected with
 * the reason, so the sender's mail server bounces it; the report is emailed back when the task ends.
 */
export async function handleInboundEmail(message: ForwardableEmailMessage, env: Env): Promise<void> {
  try {
    if (message.rawSize > MAX_INBOUND_EMAIL_BYTES) {
      message.setReject(`Message too large: at most ${MAX_INBOUND_EMAIL_BYTES / 1024} KiB`);
      return;
    }
    const raw = new Uint8Array(await new Response(message.raw).arrayBuffer());
    const email = await parseInboundEmail(raw);
    // The envelope sender is what Email Routing authenticated (SPF/DMARC); a From header that differs is refused.
    if (email.from !== message.from.trim().toLowerCase()) {
      message.setReject("The From header does not match the envelope sender");
      return;
    }
    await receiveAgentEmail(env, message.to, email, new Date());
  } catch (error) {
    if (error instanceof AppError) message.setReject(error.message);
    else throw error;
  }
}
