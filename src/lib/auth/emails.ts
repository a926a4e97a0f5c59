import type { Env } from "../../env.ts";
import { escapeHtml, type EmailMessage } from "../email/message.ts";
import { sendEmail } from "../email/send.ts";

function layout(greetingName: string, paragraphs: string[], action: { label: string; url: string }): Pick<EmailMessage, "text" | "html"> {
  const text = [`Hi ${greetingName},`, "", ...paragraphs, "", `${action.label}: ${action.url}`, "", "— netM8"].join("\n");
  const html = [
    `<p>Hi ${escapeHtml(greetingName)},</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`,
    `<p>— netM8</p>`,
  ].join("\n");
  return { text, html };
}

export async function sendVerificationEmail(env: Env, user: { email: string; name: string }, url: string): Promise<void> {
  await sendEmail(env, {
    to: user.email,
    subject: "Verify your email for netM8",
    ...layout(user.name, ["Confirm your email address to start using agents. The link is valid for 24 hours."], {
      label: "Verify email",
      url,
    }),
  });
}

export async function sendPasswordResetEmail(env: Env, user: { email: string; name: string }, url: string): Promise<void> {
  await sendEmail(env, {
    to: user.email,
    subject: "Reset your netM8 password",
    ...layout(
      user.name,
      [
        "Someone (hopefully you) asked to reset your password. The link works once, for one hour.",
        "If it was not you, ignore this email: your password stays the same.",
      ],
      { label: "Choose a new password", url },
    ),
  });
}

export async function sendApiKeysRevokedEmail(
  env: Env,
  user: { email: string; name: string },
  revoked: number,
  settingsUrl: string,
): Promise<void> {
  await sendEmail(env, {
    to: user.email,
    subject: "Your netM8 password was reset",
    ...layout(
      user.name,
      [
        `Your password was just reset, so your ${revoked === 1 ? "API key was" : `${revoked} API keys were`} revoked and every session was signed out.`,
        "If you did not reset it, sign in with the new password at once and check your account. Create new keys when you need them.",
      ],
      { label: "Manage API keys", url: settingsUrl },
    ),
  });
}
