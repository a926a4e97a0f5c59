import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

export interface FakeCheckoutSession {
  id: string;
  object: "checkout.session";
  mode: "payment";
  status: "open" | "complete";
  payment_status: "unpaid" | "paid";
  amount_total: number;
  currency: string;
  metadata: Record<string, string>;
  client_reference_id: string | null;
  customer: string | null;
  customer_email: string | null;
  customer_creation: string | null;
  payment_intent: string | null;
  success_url: string;
  cancel_url: string;
  url: string;
  created: number;
  livemode: false;
}

export interface FakeCharge {
  id: string;
  object: "charge";
  amount: number;
  amount_refunded: number;
  currency: string;
  refunded: boolean;
  payment_intent: string;
  customer: string | null;
  receipt_url: string;
  paid: true;
  status: "succeeded";
  created: number;
  livemode: false;
}

export interface FakeEvent {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  type: string;
  data: { object: unknown };
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
}

export interface FakeStripeOptions {
  /** The secret key the API accepts (Authorization: Bearer). */
  secretKey?: string;
  /** The webhook signing secret events are signed with. */
  webhookSecret?: string;
  /** Where the hosted checkout page delivers `checkout.session.completed` when the buyer pays. */
  webhookUrl?: string;
}

export interface FakeStripe {
  url: string;
  secretKey: string;
  webhookSecret: string;
  webhookUrl: string | undefined;
  sessions: Map<string, FakeCheckoutSession>;
  charges: Map<string, FakeCharge>;
  /** Every API request the SDK made: method, path and parsed form or query. */
  requests: { method: string; path: string; params: Record<string, unknown>; authorization: string | undefined }[];
  /** Marks a session paid (creating its payment intent, charge and customer) and returns `checkout.session.completed`. */
  pay(sessionId: string): FakeEvent;
  /** Refunds `amountCents` more of the session's charge (all of it by default) and returns `charge.refunded`. */
  refund(sessionId: string, amountCents?: number): FakeEvent;
  /** Any event with this object, e.g. a type we do not handle. */
  event(type: string, object: unknown): FakeEvent;
  /** The body and a valid Stripe-Signature header for an event (the SDK's own test header helper). */
  sign(event: FakeEvent, options?: { secret?: string; timestamp?: number }): { body: string; signature: string };
  /** POSTs a signed event to `url` (the webhook URL by default); returns the response status and body. */
  deliver(event: FakeEvent, url?: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

const newId = (prefix: string) => `${prefix}_test_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

/** Parses Stripe's form encoding (`a[b][0][c]=v`) into nested objects (array indexes become object keys). */
function parseStripeParams(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.split(/\[|\]\[|\]/).filter((p) => p !== "");
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return root;
}

const listOf = (value: unknown): unknown[] => (value && typeof value === "object" ? Object.values(value) : []);

function stripeError(res: ServerResponse, status: number, message: string, type = "invalid_request_error") {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: { type, message } }));
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A local stand-in for the parts of the Stripe API we use (Checkout sessions, the customer portal), with a hosted
 * checkout page that "pays" by sending a really signed `checkout.session.completed` to the webhook and redirecting
 * to the success URL, as Stripe does.
 */
export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const secretKey = options.secretKey ?? `sk_test_${randomBytes(12).toString("hex")}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString("hex")}`;
  const signer = new Stripe(secretKey);
  const sessions = new Map<string, FakeCheckoutSession>();
  const charges = new Map<string, FakeCharge>();
  const chargeOfIntent = new Map<string, string>();
  const requests: FakeStripe["requests"] = [];
  let base = "";

  const event = (type: string, object: unknown): FakeEvent => ({
    id: newId("evt"),
    object: "event",
    api_version: "2025-01-01",
    created: now(),
    type,
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });

  const pay = (sessionId: string): FakeEvent => {
    const session = sessions.get(sessionId);
    if (!session) throw new Error(`No checkout session ${sessionId}`);
    if (session.payment_status !== "paid") {
      session.customer ??= newId("cus");
      session.payment_intent = newId("pi");
      const charge: FakeCharge = {
        id: newId("ch"),
        object: "charge",
        amount: session.amount_total,
        amount_refunded: 0,
        currency: session.currency,
        refunded: false,
        payment_intent: session.payment_intent,
        customer: session.customer,
        receipt_url: "",
        paid: true,
        status: "succeeded",
        created: now(),
        livemode: false,
      };
      charge.receipt_url = `${base}/receipts/${charge.id}`;
      charges.set(charge.id, charge);
      chargeOfIntent.set(session.payment_intent, charge.id);
      session.payment_status = "paid";
      session.status = "complete";
    }
    return event("checkout.session.completed", session);
  };

  const chargeOf = (sessionId: string): FakeCharge => {
    const intent = sessions.get(sessionId)?.payment_intent;
    const charge = intent ? charges.get(chargeOfIntent.get(intent) ?? "") : undefined;
    if (!charge) throw new Error(`Checkout session ${sessionId} has not been paid`);
    return charge;
  };

  const sign = (e: FakeEvent, options: { secret?: string; timestamp?: number } = {}) => {
    const body = JSON.stringify(e, null, 2);
    const secret = options.secret ?? webhookSecret;
    return { body, signature: signer.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: options.timestamp }) };
  };

  const deliver = async (e: FakeEvent, url = fake.webhookUrl) => {
    if (!url) throw new Error("No webhook URL: set fake.webhookUrl");
    const { body, signature } = sign(e);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": signature },
      body,
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };

  const api = (req: IncomingMessage, res: ServerResponse, path: string, params: Record<string, unknown>) => {
    if (req.headers.authorization !== `Bearer ${secretKey}`)
      return stripeError(res, 401, "Invalid API Key provided", "authentication_error");
    const json = (body: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method === "POST" && path === "/v1/checkout/sessions") {
      const items = listOf(params.line_items) as { quantity?: string; price_data?: { currency?: string; unit_amount?: string } }[];
      const first = items[0]?.price_data;
      if (!first?.unit_amount || !first.currency) return stripeError(res, 400, "line_items[0][price_data] is required");
      if (!params.success_url || !params.cancel_url) return stripeError(res, 400, "success_url and cancel_url are required");
      const id = newId("cs");
      const session: FakeCheckoutSession = {
        id,
        object: "checkout.session",
        mode: "payment",
        status: "open",
        payment_status: "unpaid",
        amount_total: items.reduce((n, item) => n + Number(item.price_data?.unit_amount ?? 0) * Number(item.quantity ?? 1), 0),
        currency: first.currency,
        metadata: (params.metadata as Record<string, string>) ?? {},
        client_reference_id: (params.client_reference_id as string) ?? null,
        customer: (params.customer as string) ?? null,
        customer_email: (params.customer_email as string) ?? null,
        customer_creation: (params.customer_creation as string) ?? null,
        payment_intent: null,
        success_url: String(params.success_url),
        cancel_url: String(params.cancel_url),
        url: `${base}/checkout/${id}`,
        created: now(),
        livemode: false,
      };
      sessions.set(id, session);
      return json(session);
    }
    if (req.method === "GET" && path === "/v1/checkout/sessions") {
      const intent = params.payment_intent ? String(params.payment_intent) : undefined;
      const data = [...sessions.values()].filter((s) => !intent || s.payment_intent === intent).reverse();
      const limit = Number(params.limit ?? 10);
      return json({ object: "list", url: "/v1/checkout/sessions", has_more: data.length > limit, data: data.slice(0, limit) });
    }
    const sessionMatch = path.match(/^\/v1\/checkout\/sessions\/([\w]+)$/);
    if (req.method === "GET" && sessionMatch) {
      const session = sessions.get(sessionMatch[1]!);
      if (!session) return stripeError(res, 404, `No such checkout.session: '${sessionMatch[1]}'`);
      const expand = listOf(params.expand).map(String);
      const body: Record<string, unknown> = { ...session };
      if (session.payment_intent && expand.some((e) => e.startsWith("payment_intent"))) {
        const charge = charges.get(chargeOfIntent.get(session.payment_intent) ?? "");
        body.payment_intent = {
          id: session.payment_intent,
          object: "payment_intent",
          amount: session.amount_total,
          status: "succeeded",
          latest_charge: expand.includes("payment_intent.latest_charge") ? charge : charge?.id,
        };
      }
      return json(body);
    }
    if (req.method === "POST" && path === "/v1/billing_portal/sessions") {
      if (!params.customer) return stripeError(res, 400, "customer is required");
      const customer = String(params.customer);
      const returnUrl = String(params.return_url ?? "");
      return json({
        id: newId("bps"),
        object: "billing_portal.session",
        customer,
        return_url: returnUrl,
        url: `${base}/portal/${customer}?return_url=${encodeURIComponent(returnUrl)}`,
        created: now(),
        livemode: false,
      });
    }
    return stripeError(res, 404, `Unrecognized request URL (${req.method}: ${path})`);
  };

  const page = (res: ServerResponse, title: string, body: string) =>
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(`<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);

  const hosted = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const checkout = url.pathname.match(/^\/checkout\/(\w+)(\/pay)?$/);
    if (checkout) {
      const session = sessions.get(checkout[1]!);
      if (!session) return stripeError(res, 404, "No such checkout page");
      if (req.method === "POST" && checkout[2]) {
        const delivered = await deliver(pay(session.id));
        if (delivered.status !== 200) return stripeError(res, 502, `The webhook answered ${delivered.status}`);
        res.writeHead(303, { location: session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id) }).end();
        return;
      }
      const price = (session.amount_total / 100).toFixed(2);
      return page(
        res,
        "Fake Stripe Checkout",
        `<p>Pay $${price} ${escapeHtml(session.currency.toUpperCase())}</p><form method="post" action="/checkout/${session.id}/pay"><button type="submit">Pay</button></form><a href="${escapeHtml(session.cancel_url)}">Cancel</a>`,
      );
    }
    const receipt = url.pathname.match(/^\/receipts\/(\w+)$/);
    if (receipt && charges.has(receipt[1]!)) {
      const charge = charges.get(receipt[1]!)!;
      return page(
        res,
        "Receipt",
        `<p>Paid $${(charge.amount / 100).toFixed(2)}, refunded $${(charge.amount_refunded / 100).toFixed(2)}</p>`,
      );
    }
    const portal = url.pathname.match(/^\/portal\/(\w+)$/);
    if (portal) {
      const back = url.searchParams.get("return_url") ?? "/";
      return page(res, "Fake Stripe customer portal", `<p>Customer ${escapeHtml(portal[1]!)}</p><a href="${escapeHtml(back)}">Return</a>`);
    }
    return stripeError(res, 404, "Not found");
  };

  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", base);
      if (url.pathname.startsWith("/v1/")) {
        const params = parseStripeParams(req.method === "GET" ? url.search.slice(1) : text);
        requests.push({ method: req.method ?? "", path: url.pathname, params, authorization: req.headers.authorization });
        api(req, res, url.pathname, params);
        return;
      }
      hosted(req, res, url).catch((error: Error) => stripeError(res, 500, error.message, "api_error"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeStripe = {
    url: base,
    secretKey,
    webhookSecret,
    webhookUrl: options.webhookUrl,
    sessions,
    charges,
    requests,
    pay,
    refund(sessionId, amountCents) {
      const charge = chargeOf(sessionId);
      charge.amount_refunded = Math.min(charge.amount, charge.amount_refunded + (amountCents ?? charge.amount));
      charge.refunded = charge.amount_refunded === charge.amount;
      return event("charge.refunded", charge);
    },
    event,
    sign,
    deliver,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}
