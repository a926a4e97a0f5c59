import { describe, expect, it } from "vitest";
import { buildTools } from "../../src/agent/tools.ts";
import { chunkRedactor, redactText, redactValue } from "../../src/lib/agents/secrets.ts";
import type { Workspace } from "../../src/sandbox/types.ts";

const TOKEN = "ghp_Sup3rS3cretT0ken/with+odd=chars";
const secrets = { API_TOKEN: TOKEN };
const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("secret redaction", () => {
  it("hides a secret as it is, in base64 (standard and URL-safe), in hex and URL-encoded", () => {
    const forms = [
      TOKEN,
      b64(TOKEN),
      Buffer.from(TOKEN).toString("base64url"),
      Buffer.from(TOKEN).toString("hex"),
      encodeURIComponent(TOKEN),
    ];
    for (const form of forms) {
      const out = redactText(`value: ${form}\n`, secrets);
      expect(out, form).toContain("[secret API_TOKEN]");
      expect(out, form).not.toContain(form);
    }
    expect(redactText(Buffer.from(TOKEN).toString("hex").toUpperCase(), secrets)).toContain("[secret API_TOKEN]");
  });

  it("finds the base64 of a secret inside a longer base64 stream, at any byte offset", () => {
    for (const prefix of ["", "a", "ab", "abc", "abcd"]) {
      const stream = b64(`${prefix}${TOKEN} and more text after it`);
      const out = redactText(stream, secrets);
      expect(out, prefix).toContain("[secret API_TOKEN]");
      // What is left of the encoded secret is at most the few characters that share bits with its neighbours.
      expect(out.replace("[secret API_TOKEN]", "").length, prefix).toBeLessThan(stream.length - b64(TOKEN).length + 8);
    }
  });

  it("redacts encoded forms split across stream chunks, and leaves other text alone", () => {
    const redactor = chunkRedactor(secrets);
    const encoded = b64(TOKEN);
    const out = redactor.push(`start ${encoded.slice(0, 10)}`) + redactor.push(`${encoded.slice(10)} end`) + redactor.flush();
    // Only the last base64 characters, which also hold padding bits, can stay.
    expect(out).toMatch(/^start \[secret API_TOKEN\][A-Za-z0-9+/=]{0,3} end$/);
    expect(redactText("nothing secret here, not even aGVsbG8=", secrets)).toBe("nothing secret here, not even aGVsbG8=");
  });

  it("redacts tool error messages as it redacts tool results", async () => {
    const failing = {
      readFile: async () => {
        throw new Error(`cannot read: token ${TOKEN} was refused (${b64(TOKEN)})`);
      },
    } as unknown as Workspace;
    const tools = buildTools({
      workspace: async () => failing,
      remember: async () => ({ id: "n" }),
      workspaceChanged: () => {},
      redact: async (value) => redactValue(value, secrets),
    });
    const execute = tools.read_file!.execute as (input: unknown, options: unknown) => Promise<unknown>;
    const run = execute({ path: "x" }, { toolCallId: "c1", messages: [] });
    const error = await run.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^cannot read: token \[secret API_TOKEN\] was refused \(\[secret API_TOKEN\][A-Za-z0-9+/=]{0,3}\)$/);
  });
});
