import type {
  OAuthDiscoveryState,
  OAuthClientMetadata,
  OAuthClientProvider,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";

/** A connector needs its user to sign in (again) before a turn can use it. */
export class ConnectorSignInNeeded extends Error {
  constructor(connector: string) {
    super(`Connector ${connector} needs you to connect again (its sign-in expired or was revoked): connect to use.`);
  }
}

export interface OAuthState {
  client?: StoredOAuthClientInformation;
  tokens?: StoredOAuthTokens;
  codeVerifier?: string;
  discovery?: OAuthDiscoveryState;
}

/**
 * The MCP SDK's OAuth client provider over what we keep for one user and one connector: the SDK discovers the
 * authorization server, registers a client dynamically, runs PKCE and refreshes tokens; this object holds what it
 * hands back, and the caller seals it into D1. Outside the connect flow (`interactive: false`, a turn) a needed
 * sign-in is an error, never a redirect.
 */
export class StoredOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  tokensChanged = false;
  readonly #state: OAuthState;
  readonly #redirect: string;
  readonly #stateValue: string;
  readonly #options: { interactive: boolean; connectorName: string };

  constructor(redirect: string, stateValue: string, state: OAuthState, options: { interactive: boolean; connectorName: string }) {
    this.#redirect = redirect;
    this.#stateValue = stateValue;
    this.#state = { ...state };
    this.#options = options;
  }

  get redirectUrl(): string {
    return this.#redirect;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "netM8",
      redirect_uris: [this.#redirect],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    } as OAuthClientMetadata;
  }

  state(): string {
    return this.#stateValue;
  }

  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.#state.client;
  }

  saveClientInformation(client: StoredOAuthClientInformation): void {
    this.#state.client = client;
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.#state.tokens;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.#state.tokens = tokens;
    this.tokensChanged = true;
  }

  redirectToAuthorization(url: URL): void {
    if (!this.#options.interactive) throw new ConnectorSignInNeeded(this.#options.connectorName);
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string): void {
    this.#state.codeVerifier = verifier;
  }

  codeVerifier(): string {
    if (!this.#state.codeVerifier) throw new Error("No sign-in is in progress for this connector");
    return this.#state.codeVerifier;
  }

  saveDiscoveryState(discovery: OAuthDiscoveryState): void {
    this.#state.discovery = discovery;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#state.discovery;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "tokens") this.#state.tokens = undefined;
    if (scope === "all" || scope === "client") this.#state.client = undefined;
    if (scope === "all" || scope === "verifier") this.#state.codeVerifier = undefined;
    if (scope === "all" || scope === "discovery") this.#state.discovery = undefined;
  }

  snapshot(): OAuthState {
    return { ...this.#state };
  }
}
