import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** The person the fake provider signs in on its authorize endpoint (as if they were signed in at Google). */
export interface OidcUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  picture?: string;
}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  nonce: string | null;
  scope: string | null;
}

export interface FakeOidc {
  /** The issuer: discovery is at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next authorization signs in. */
  user: OidcUser;
  authorizeRequests: AuthorizeRequest[];
  /** Token requests refused, with the reason (bad PKCE verifier, reused code, wrong secret...). */
  tokenErrors: string[];
  close(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
  user: OidcUser;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

function signJwt(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign("RSA-SHA256", Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

/**
 * A small local OpenID Connect provider standing in for Google: discovery, authorize (code flow, PKCE S256
 * required, state passed back), token (client secret, single-use codes, PKCE verified), userinfo, and JWKS with a
 * real RSA key, so ID tokens are verified exactly as Google's are.
 */
export async function startFakeOidc(
  options: { clientId?: string; clientSecret?: string; redirectUriPrefix?: string } = {},
): Promise<FakeOidc> {
  const clientId = options.clientId ?? "netm8-test-client.apps.example.com";
  const clientSecret = options.clientSecret ?? `secret-${randomBytes(8).toString("hex")}`;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomBytes(6).toString("hex");
  const jwk = { ...(publicKey.export({ format: "jwk" }) as Record<string, string>), kid, use: "sig", alg: "RS256" };
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, OidcUser>();
  let issuer = "";

  const fake: FakeOidc = {
    issuer: "",
    clientId,
    clientSecret,
    user: { sub: "100000000000000000001", email: "person@example.com", email_verified: true, name: "Google Person" },
    authorizeRequests: [],
    tokenErrors: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    try {
      if (req.method === "GET" && url.pathname === "/.well-known/openid-configuration") {
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          userinfo_endpoint: `${issuer}/userinfo`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          scopes_supported: ["openid", "email", "profile"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
          code_challenge_methods_supported: ["S256"],
          claims_supported: ["sub", "email", "email_verified", "name", "picture"],
        });
      }
      if (req.method === "GET" && url.pathname === "/jwks") return json(res, 200, { keys: [jwk] });
      if (req.method === "GET" && url.pathname === "/authorize") {
        const q = url.searchParams;
        const request: AuthorizeRequest = {
          clientId: q.get("client_id") ?? "",
          redirectUri: q.get("redirect_uri") ?? "",
          state: q.get("state"),
          codeChallenge: q.get("code_challenge"),
          codeChallengeMethod: q.get("code_challenge_method"),
          nonce: q.get("nonce"),
          scope: q.get("scope"),
        };
        fake.authorizeRequests.push(request);
        if (request.clientId !== clientId) return json(res, 400, { error: "invalid_client" });
        if (options.redirectUriPrefix && !request.redirectUri.startsWith(options.redirectUriPrefix)) {
          return json(res, 400, { error: "invalid_request", error_description: "redirect_uri is not registered" });
        }
        if (q.get("response_type") !== "code") return json(res, 400, { error: "unsupported_response_type" });
        if (!request.codeChallenge || request.codeChallengeMethod !== "S256") {
          return json(res, 400, { error: "invalid_request", error_description: "PKCE with S256 is required" });
        }
        const code = randomBytes(16).toString("hex");
        codes.set(code, {
          clientId,
          redirectUri: request.redirectUri,
          codeChallenge: request.codeChallenge,
          nonce: request.nonce,
          user: { ...fake.user },
          expiresAt: Date.now() + CODE_TTL_MS,
        });
        const back = new URL(request.redirectUri);
        back.searchParams.set("code", code);
        if (request.state !== null) back.searchParams.set("state", request.state);
        back.searchParams.set("iss", issuer);
        res.writeHead(302, { location: back.toString() }).end();
        return;
      }
      if (req.method === "POST" && url.pathname === "/token") {
        const form = new URLSearchParams(await readBody(req));
        let id = form.get("client_id");
        let secret = form.get("client_secret");
        const basic = req.headers.authorization?.match(/^Basic (.+)$/);
        if (basic) {
          const [user, pass] = Buffer.from(basic[1]!, "base64").toString().split(":");
          id = decodeURIComponent(user ?? "");
          secret = decodeURIComponent(pass ?? "");
        }
        const refuse = (error: string, why: string) => {
          fake.tokenErrors.push(why);
          json(res, 400, { error, error_description: why });
        };
        if (id !== clientId || secret !== clientSecret) return refuse("invalid_client", "wrong client credentials");
        if (form.get("grant_type") !== "authorization_code") return refuse("unsupported_grant_type", "grant_type");
        const code = form.get("code") ?? "";
        const issued = codes.get(code);
        codes.delete(code);
        if (!issued || issued.expiresAt < Date.now()) return refuse("invalid_grant", "unknown, used or expired code");
        if (form.get("redirect_uri") !== issued.redirectUri) return refuse("invalid_grant", "redirect_uri mismatch");
        const verifier = form.get("code_verifier") ?? "";
        if (base64url(createHash("sha256").update(verifier).digest()) !== issued.codeChallenge) {
          return refuse("invalid_grant", "PKCE verifier does not match the challenge");
        }
        const accessToken = randomBytes(24).toString("hex");
        accessTokens.set(accessToken, issued.user);
        const now = Math.floor(Date.now() / 1000);
        const idToken = signJwt(privateKey, kid, {
          iss: issuer,
          aud: clientId,
          sub: issued.user.sub,
          email: issued.user.email,
          email_verified: issued.user.email_verified,
          name: issued.user.name,
          ...(issued.user.picture ? { picture: issued.user.picture } : {}),
          ...(issued.nonce ? { nonce: issued.nonce } : {}),
          iat: now,
          exp: now + 3600,
        });
        return json(res, 200, {
          access_token: accessToken,
          token_type: "Bearer",
          expires_in: 3600,
          scope: "openid email profile",
          id_token: idToken,
        });
      }
      if (req.method === "GET" && url.pathname === "/userinfo") {
        const token = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
        const user = token ? accessTokens.get(token) : undefined;
        if (!user) return json(res, 401, { error: "invalid_token" });
        return json(res, 200, user);
      }
      json(res, 404, { error: "not_found" });
    } catch (error) {
      json(res, 500, { error: "server_error", error_description: (error as Error).message });
    }
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("fake OIDC provider did not bind");
  issuer = `http://127.0.0.1:${address.port}`;
  fake.issuer = issuer;
  return fake;
}
