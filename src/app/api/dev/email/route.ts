import { isMailboxReadable } from "@/lib/email/send.ts";
import { Invalid, NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { inboundEmailDomain } from "@/lib/triggers/triggers.ts";
import { MAX_INBOUND_EMAIL_BYTES, parseInboundEmail } from "@/lib/triggers/inbound-email.ts";
import { PayloadTooLarge } from "@/lib/errors.ts";
import { receiveAgentEmail } from "@/operations/triggers.ts";

export const dynamic = "force-dynamic";

/**
 * Development stand-in for Cloudflare Email Routing: takes a raw RFC 822 message and delivers it to the agent
 * address among its recipients, like the Worker's `email` handler does in production. The report is answered into
 * the local mailbox. Only where the local mailbox is readable (tests and `npm start` on loopback).
 */
export const POST = handle(async (request) => {
  const env = getEnv();
  if (!isMailboxReadable(env)) throw new NotFound();
  const raw = new Uint8Array(await request.arrayBuffer());
  if (raw.byteLength > MAX_INBOUND_EMAIL_BYTES)
    throw new PayloadTooLarge(`The message is larger than ${MAX_INBOUND_EMAIL_BYTES / 1024} KiB`);
  const email = await parseInboundEmail(raw);
  const domain = `@${inboundEmailDomain(env)}`;
  const recipient = email.to.find((address) => address.endsWith(domain));
  if (!recipient) throw new Invalid(`The message is not addressed to an agent address (…${domain})`);
  const { taskId } = await receiveAgentEmail(env, recipient, email, requestTime(request, env));
  return Response.json({ accepted: true, taskId }, { status: 202 });
});
