import { createServer, type Server } from "node:http";

export interface SentEmail {
  from: string;
  to: string | string[];
  subject: string;
  text?: string;
  html?: string;
  authorization: string | undefined;
}

export interface FakeResend {
  url: string;
  sent: SentEmail[];
  /** Makes the next sends fail with this HTTP status and Resend's error body. */
  failNext(status: number, message: string): void;
  close(): Promise<void>;
}

/** A local stand-in for Resend's `POST /emails` (same request and response shapes). */
export async function startFakeResend(): Promise<FakeResend> {
  const sent: SentEmail[] = [];
  let failure: { status: number; message: string } | undefined;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method !== "POST" || req.url !== "/emails") {
        res.writeHead(404).end(JSON.stringify({ name: "not_found", message: "Unknown endpoint", statusCode: 404 }));
        return;
      }
      if (failure) {
        const { status, message } = failure;
        failure = undefined;
        res.writeHead(status).end(JSON.stringify({ name: "application_error", message, statusCode: status }));
        return;
      }
      const email = JSON.parse(body) as Omit<SentEmail, "authorization">;
      sent.push({ ...email, authorization: req.headers.authorization });
      res.writeHead(200).end(JSON.stringify({ id: crypto.randomUUID() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("fake Resend did not bind");
  return {
    url: `http://127.0.0.1:${address.port}`,
    sent,
    failNext: (status, message) => (failure = { status, message }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
