import { createServer, type Server } from "node:http";

export interface FakeTurnstile {
  /** The siteverify URL (Cloudflare's is https://challenges.cloudflare.com/turnstile/v0/siteverify). */
  url: string;
  secret: string;
  /** The one token the fake accepts, once; any other token fails like an invalid or replayed one. */
  issueToken(): string;
  verifications: { secret: string; response: string; remoteip?: string }[];
  close(): Promise<void>;
}

/** A local stand-in for Turnstile's siteverify endpoint (same JSON request and response shapes). */
export async function startFakeTurnstile(secret = "turnstile-test-secret"): Promise<FakeTurnstile> {
  const valid = new Set<string>();
  const verifications: FakeTurnstile["verifications"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST") return void res.writeHead(405).end("{}");
      const input = JSON.parse(body || "{}") as { secret: string; response: string; remoteip?: string };
      verifications.push(input);
      const ok = input.secret === secret && valid.delete(input.response);
      res
        .writeHead(200)
        .end(
          JSON.stringify(
            ok
              ? { success: true, hostname: "localhost", "error-codes": [] }
              : { success: false, "error-codes": ["invalid-input-response"] },
          ),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("fake Turnstile did not bind");
  return {
    url: `http://127.0.0.1:${address.port}/siteverify`,
    secret,
    issueToken: () => {
      const token = `token-${crypto.randomUUID()}`;
      valid.add(token);
      return token;
    },
    verifications,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
