/**
 * HubSpot's v3 request signature: base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)),
 * sent as `X-HubSpot-Signature-v3` with `X-HubSpot-Request-Timestamp` (epoch ms).
 * https://developers.hubspot.com/docs/api/webhooks/validating-requests
 *
 * Unlike the client's `Signature.isValid`, which throws on a stale or missing timestamp,
 * this returns a reason, so the route can answer 401 and log why without a try/catch.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** HubSpot: "reject the request if the timestamp is older than 5 minutes". */
export const MAX_SIGNATURE_AGE_MS = 5 * 60_000;
/**
 * A timestamp ahead of our clock is refused too (a replay window must not be stretched by
 * signing "in the future"), allowing for ordinary clock skew between HubSpot and us.
 */
export const MAX_CLOCK_SKEW_MS = 60_000;

export type SignatureRejection =
  'missing_signature' | 'missing_timestamp' | 'stale_timestamp' | 'future_timestamp' | 'bad_signature';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureRejection };

export interface SignedRequest {
  method: string;
  /** The full URI HubSpot called: protocol, host, path and query (see `signedUri`). */
  uri: string;
  /** The body exactly as received: bytes, never re-serialized JSON. */
  body: Buffer | string;
  signature: string | undefined;
  timestamp: string | undefined;
}

export interface VerifyOptions {
  clientSecret: string;
  now: number;
  maxAgeMs?: number;
  maxClockSkewMs?: number;
}

/**
 * HubSpot decodes these escapes in the URI before signing; the `?` that starts the query
 * string stays as it is. https://developers.hubspot.com/docs/api/webhooks/validating-requests
 */
const DECODED_IN_URI: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function normalizeSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED_IN_URI[m.toUpperCase()] ?? m);
}

/**
 * The URI to check the signature against. Behind a proxy (TLS termination, a path prefix
 * stripped) the request we see is not the one HubSpot sent, so a configured public base URL
 * (`https://baton.example.com` or `https://example.com/baton`) replaces protocol, host and
 * any stripped prefix; the path and query as received follow it.
 */
export function signedUri(req: { protocol: string; host: string; url: string }, publicBaseUrl?: string): string {
  const base = publicBaseUrl !== undefined ? publicBaseUrl.replace(/\/+$/, '') : `${req.protocol}://${req.host}`;
  return normalizeSignedUri(`${base}${req.url}`);
}

export function signatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  body: Buffer | string,
  timestamp: string | number,
): string {
  return createHmac('sha256', clientSecret)
    .update(`${method.toUpperCase()}${uri}`)
    .update(body)
    .update(String(timestamp))
    .digest('base64');
}

export function verifySignatureV3(req: SignedRequest, opts: VerifyOptions): SignatureCheck {
  const maxAge = opts.maxAgeMs ?? MAX_SIGNATURE_AGE_MS;
  const skew = opts.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS;
  if (req.signature === undefined || req.signature.trim() === '') return { ok: false, reason: 'missing_signature' };
  const rawTimestamp = req.timestamp?.trim() ?? '';
  if (!/^\d{1,16}$/.test(rawTimestamp)) return { ok: false, reason: 'missing_timestamp' };
  const timestamp = Number(rawTimestamp);
  if (opts.now - timestamp > maxAge) return { ok: false, reason: 'stale_timestamp' };
  if (timestamp - opts.now > skew) return { ok: false, reason: 'future_timestamp' };
  // The timestamp is signed as the header's text, so use that, not the parsed number.
  // Compared as text: base64 decoding skips junk characters, so decoded bytes could match
  // a header that is not the signature HubSpot sent.
  const expected = Buffer.from(signatureV3(opts.clientSecret, req.method, req.uri, req.body, rawTimestamp), 'utf8');
  const given = Buffer.from(req.signature.trim(), 'utf8');
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  return same ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
