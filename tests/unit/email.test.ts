import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeResend, type FakeResend } from "../../fakes/resend.ts";
import type { Env } from "../../src/env.ts";
import { escapeHtml, extractLinks } from "../../src/lib/email/message.ts";
import { emailTransportKind, sendEmail } from "../../src/lib/email/send.ts";

describe("email messages", () => {
  it("extracts each link once, from text and HTML, with HTML entities decoded", () => {
    const links = extractLinks({
      text: "Verify: http://localhost:8787/verify?token=abc&next=/agents.",
      html: '<a href="http://localhost:8787/verify?token=abc&amp;next=/agents">Verify</a> <a href="https://x.dev/a">a</a>',
    });
    expect(links).toEqual(["http://localhost:8787/verify?token=abc&next=/agents", "https://x.dev/a"]);
  });

  it("escapes user text before it goes into HTML", () => {
    expect(escapeHtml(`<img src=x onerror="alert(1)">`)).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });
});

describe("email transport", () => {
  it("uses Resend when its key is set, the local mailbox in development, and nothing in production", () => {
    expect(emailTransportKind({ ENVIRONMENT: "production", RESEND_API_KEY: "re_x" })).toBe("resend");
    expect(emailTransportKind({ ENVIRONMENT: "development" })).toBe("mailbox");
    expect(emailTransportKind({ ENVIRONMENT: "test" })).toBe("mailbox");
    expect(emailTransportKind({ ENVIRONMENT: "production" })).toBe("none");
  });

  describe("through Resend", () => {
    let resend: FakeResend;
    beforeEach(async () => (resend = await startFakeResend()));
    afterEach(() => resend.close());

    const env = () =>
      ({
        ENVIRONMENT: "production",
        RESEND_API_KEY: "re_test_key",
        RESEND_BASE_URL: resend.url,
        EMAIL_FROM: "netM8 <hi@netm8.dev>",
      }) as Env;

    it("sends the message with the API key and sender", async () => {
      await sendEmail(env(), { to: "ada@example.com", subject: "Hello", text: "Hi Ada", html: "<p>Hi Ada</p>" });
      expect(resend.sent).toHaveLength(1);
      expect(resend.sent[0]).toMatchObject({ from: "netM8 <hi@netm8.dev>", to: "ada@example.com", subject: "Hello", text: "Hi Ada" });
      expect(resend.sent[0]!.authorization).toBe("Bearer re_test_key");
    });

    it("reports Resend's refusal as a clear error", async () => {
      resend.failNext(422, "The from address is not verified");
      await expect(sendEmail(env(), { to: "ada@example.com", subject: "Hello", text: "Hi", html: "<p>Hi</p>" })).rejects.toThrow(
        /Email could not be sent: The from address is not verified/,
      );
    });
  });

  it("refuses to send in production without a provider, saying what to configure", async () => {
    await expect(sendEmail({ ENVIRONMENT: "production" } as Env, { to: "a@b.co", subject: "s", text: "t", html: "t" })).rejects.toThrow(
      /RESEND_API_KEY/,
    );
  });
});
