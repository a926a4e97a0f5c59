import { Resend } from "resend";
import { getDb } from "../../db/client.ts";
import type { Env } from "../../env.ts";
import { isProduction } from "../../env.ts";
import { ServiceUnavailable } from "../errors.ts";
import { storeInMailbox } from "./mailbox.ts";
import type { EmailMessage } from "./message.ts";

export type EmailTransportKind = "resend" | "mailbox" | "none";

type EmailEnv = Pick<Env, "ENVIRONMENT" | "RESEND_API_KEY" | "RESEND_BASE_URL">;

/** Resend when its key is set; otherwise the local mailbox, which never exists in production. */
export function emailTransportKind(env: EmailEnv): EmailTransportKind {
  if (env.RESEND_API_KEY) return "resend";
  return isProduction(env) ? "none" : "mailbox";
}

export function isMailboxActive(env: EmailEnv): boolean {
  return emailTransportKind(env) === "mailbox";
}

/**
 * Whether the local mailbox may be read (GET /api/dev/mailbox, /dev/mailbox): it holds every user's verification and
 * reset links, so only the test suite's Workers and a development Worker that `npm start` runs on a loopback address
 * (DEV_MAILBOX=on; it decides from HOST, never from request headers) show it.
 */
export function isMailboxReadable(env: EmailEnv & Pick<Env, "DEV_MAILBOX">): boolean {
  return isMailboxActive(env) && (env.ENVIRONMENT === "test" || env.DEV_MAILBOX === "on");
}

const DEFAULT_FROM = "netM8 <no-reply@netm8.dev>";

export async function sendEmail(env: Env, message: EmailMessage): Promise<void> {
  switch (emailTransportKind(env)) {
    case "resend": {
      const resend = new Resend(env.RESEND_API_KEY, env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : undefined);
      const { error } = await resend.emails.send({
        from: env.EMAIL_FROM ?? DEFAULT_FROM,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      if (error) throw new ServiceUnavailable(`Email could not be sent: ${error.message}`);
      return;
    }
    case "mailbox":
      await storeInMailbox(getDb(env.DB), message);
      return;
    case "none":
      throw new ServiceUnavailable("Email is not configured: set RESEND_API_KEY (and EMAIL_FROM)");
  }
}
