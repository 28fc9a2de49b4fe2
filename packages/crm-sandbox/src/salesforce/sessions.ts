/**
 * Access tokens and the OAuth 2.0 refresh token flow of a connected app.
 *
 * Without a TTL the start token never expires (the dev stack and most tests hold one
 * fixed token). With `accessTokenTtlMs` every token, the start token included, expires
 * that long after it was issued; the API then answers 401 INVALID_SESSION_ID and a client
 * that holds a refresh token (jsforce with `oauth2` and `refreshToken`) fetches a new one
 * from `POST /services/oauth2/token`. Older tokens stay valid until their own expiry, as
 * on the platform, where a refresh does not revoke the sessions issued before it.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface OAuthClientOptions {
  /** The connected app's consumer key. */
  clientId?: string;
  /** The consumer secret; required on refresh, as "Require Secret for Refresh Token Flow" is by default. */
  clientSecret?: string;
  /** The one refresh token the sandbox accepts. */
  refreshToken?: string;
}

export const DEFAULT_OAUTH_CLIENT: Required<OAuthClientOptions> = {
  clientId: 'baton-sandbox-client-id',
  clientSecret: 'baton-sandbox-client-secret',
  refreshToken: 'baton-sandbox-refresh-token',
};

/** An OAuth error as the token endpoint answers it (HTTP 400, `{error, error_description}`). */
export interface OAuthError {
  error: string;
  error_description: string;
}

export interface TokenResponse {
  access_token: string;
  signature: string;
  scope: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  issued_at: string;
}

export interface RefreshRequest {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  refresh_token?: string;
}

/** Expired tokens are forgotten once this many are held, so a long run does not grow forever. */
const PRUNE_ABOVE = 1000;

export class Sessions {
  /** Token → expiry (epoch ms; Infinity when tokens do not expire). */
  private readonly tokens = new Map<string, number>();
  readonly client: Required<OAuthClientOptions>;

  constructor(
    readonly initialToken: string,
    private readonly now: () => number,
    private readonly ttlMs: number | undefined,
    client: OAuthClientOptions = {},
  ) {
    this.client = { ...DEFAULT_OAUTH_CLIENT, ...client };
    this.restoreInitial();
  }

  isValid(token: string): boolean {
    const expiry = this.tokens.get(token);
    return expiry !== undefined && this.now() < expiry;
  }

  /** Makes the start token valid again (a fresh TTL), e.g. on a sandbox reset. */
  restoreInitial(): void {
    this.tokens.set(this.initialToken, this.expiryFromNow());
  }

  /** Expires every token issued so far (admin route); returns how many were still valid. */
  expireAll(): number {
    const now = this.now();
    let expired = 0;
    for (const [token, expiry] of this.tokens) {
      if (now < expiry) expired++;
      this.tokens.set(token, now);
    }
    return expired;
  }

  /**
   * The refresh token grant. Salesforce checks the client id, then the secret, then the
   * refresh token, and says which one failed.
   */
  refresh(
    request: RefreshRequest,
    identity: { orgId: string; userId: string; baseUrl: string },
  ): TokenResponse | OAuthError {
    if (request.grant_type !== 'refresh_token')
      return { error: 'unsupported_grant_type', error_description: 'grant type not supported' };
    if (request.client_id !== this.client.clientId)
      return { error: 'invalid_client_id', error_description: 'client identifier invalid' };
    if (request.client_secret !== this.client.clientSecret)
      return { error: 'invalid_client', error_description: 'invalid client credentials' };
    if (request.refresh_token !== this.client.refreshToken)
      return { error: 'invalid_grant', error_description: 'expired access/refresh token' };
    const accessToken = this.issue(identity.orgId);
    const id = `${identity.baseUrl}/id/${identity.orgId}/${identity.userId}`;
    const issuedAt = String(this.now());
    return {
      access_token: accessToken,
      // Base64 HMAC-SHA256 of id + issued_at under the consumer secret: clients may verify it.
      signature: createHmac('sha256', this.client.clientSecret)
        .update(id + issuedAt)
        .digest('base64'),
      scope: 'refresh_token api',
      instance_url: identity.baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
  }

  /** A new token shaped like the platform's: the 15-character org id, '!', opaque text. */
  private issue(orgId: string): string {
    if (this.tokens.size > PRUNE_ABOVE) {
      const now = this.now();
      for (const [token, expiry] of this.tokens)
        if (expiry <= now && token !== this.initialToken) this.tokens.delete(token);
    }
    const token = `${orgId.slice(0, 15)}!${randomBytes(72).toString('base64url')}`;
    this.tokens.set(token, this.expiryFromNow());
    return token;
  }

  private expiryFromNow(): number {
    return this.ttlMs === undefined ? Number.POSITIVE_INFINITY : this.now() + this.ttlMs;
  }
}
