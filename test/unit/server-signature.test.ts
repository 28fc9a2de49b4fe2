/**
 * HubSpot v3 signatures, cross-checked with the official client's `Signature.isValid`
 * (which throws rather than returning false on a stale or missing timestamp).
 */
import { Signature } from '@hubspot/api-client';
import { signatureV3 as sandboxSignature } from '@baton/crm-sandbox';
import {
  MAX_SIGNATURE_AGE_MS,
  normalizeSignedUri,
  signatureV3,
  signedUri,
  verifySignatureV3,
} from '../../src/server/signature';

const SECRET = 'app-client-secret';
const URI = 'https://baton.example.com/webhooks/hubspot';
const BODY = JSON.stringify([
  {
    eventId: 1,
    objectId: 42,
    occurredAt: 1,
    subscriptionType: 'contact.propertyChange',
    propertyName: 'hubspotscore',
    propertyValue: '80',
  },
]);
const NOW = 1_790_000_000_000;

function officialIsValid(
  signature: string,
  timestamp: number | undefined,
  body = BODY,
  uri = URI,
  secret = SECRET,
): boolean {
  const realNow = Date.now;
  Date.now = () => NOW;
  try {
    return Signature.isValid({
      signatureVersion: 'v3',
      method: 'POST',
      url: uri,
      requestBody: body,
      clientSecret: secret,
      signature,
      ...(timestamp !== undefined ? { timestamp } : {}),
    });
  } finally {
    Date.now = realNow;
  }
}

function check(
  over: {
    signature?: string | undefined;
    timestamp?: string | undefined;
    body?: string;
    uri?: string;
    secret?: string;
  } = {},
) {
  const timestamp = 'timestamp' in over ? over.timestamp : String(NOW - 1000);
  const signature = 'signature' in over ? over.signature : signatureV3(SECRET, 'POST', URI, BODY, timestamp ?? '');
  return verifySignatureV3(
    { method: 'POST', uri: over.uri ?? URI, body: over.body ?? BODY, signature, timestamp },
    { clientSecret: over.secret ?? SECRET, now: NOW },
  );
}

describe('verifySignatureV3', () => {
  test('a valid signature passes, as with the official client and the sandbox signer', () => {
    const ts = NOW - 1000;
    const sig = signatureV3(SECRET, 'POST', URI, BODY, ts);
    expect(sig).toBe(sandboxSignature(SECRET, 'POST', URI, BODY, ts));
    expect(officialIsValid(sig, ts)).toBe(true);
    expect(check()).toEqual({ ok: true });
    // The body as raw bytes signs the same as the string.
    expect(
      verifySignatureV3(
        { method: 'POST', uri: URI, body: Buffer.from(BODY), signature: sig, timestamp: String(ts) },
        { clientSecret: SECRET, now: NOW },
      ),
    ).toEqual({ ok: true });
  });

  test('signed with another secret: rejected by both', () => {
    const ts = NOW - 1000;
    const sig = signatureV3('someone-else', 'POST', URI, BODY, ts);
    expect(officialIsValid(sig, ts)).toBe(false);
    expect(check({ signature: sig })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ secret: 'wrong' })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  test('a tampered body, URI or timestamp: rejected by both', () => {
    const ts = NOW - 1000;
    const sig = signatureV3(SECRET, 'POST', URI, BODY, ts);
    const tampered = BODY.replace('"80"', '"99"');
    expect(officialIsValid(sig, ts, tampered)).toBe(false);
    expect(check({ signature: sig, timestamp: String(ts), body: tampered })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check({ signature: sig, timestamp: String(ts), uri: 'http://baton.example.com/webhooks/hubspot' })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check({ signature: sig, timestamp: String(ts + 1) })).toEqual({ ok: false, reason: 'bad_signature' });
    // Re-serialized JSON (other whitespace) is not what was signed.
    expect(check({ signature: sig, timestamp: String(ts), body: JSON.stringify(JSON.parse(BODY), null, 1) })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  test('stale timestamps: the client throws, we reject', () => {
    const ts = NOW - MAX_SIGNATURE_AGE_MS - 1;
    const sig = signatureV3(SECRET, 'POST', URI, BODY, ts);
    expect(() => officialIsValid(sig, ts)).toThrow('Timestamp is invalid');
    expect(check({ signature: sig, timestamp: String(ts) })).toEqual({ ok: false, reason: 'stale_timestamp' });
    // Exactly five minutes old is still inside the window, as in the client.
    const edge = NOW - MAX_SIGNATURE_AGE_MS;
    const edgeSig = signatureV3(SECRET, 'POST', URI, BODY, edge);
    expect(officialIsValid(edgeSig, edge)).toBe(true);
    expect(check({ signature: edgeSig, timestamp: String(edge) })).toEqual({ ok: true });
  });

  test('future timestamps beyond clock skew are rejected (the client would accept them)', () => {
    const ts = NOW + 10 * 60_000;
    const sig = signatureV3(SECRET, 'POST', URI, BODY, ts);
    expect(officialIsValid(sig, ts)).toBe(true);
    expect(check({ signature: sig, timestamp: String(ts) })).toEqual({ ok: false, reason: 'future_timestamp' });
    const skewed = NOW + 5_000;
    expect(check({ signature: signatureV3(SECRET, 'POST', URI, BODY, skewed), timestamp: String(skewed) })).toEqual({
      ok: true,
    });
  });

  test('missing or malformed headers', () => {
    const sig = signatureV3(SECRET, 'POST', URI, BODY, NOW);
    expect(() => officialIsValid(sig, undefined)).toThrow('Timestamp is invalid');
    expect(check({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing_timestamp' });
    expect(check({ timestamp: '' })).toEqual({ ok: false, reason: 'missing_timestamp' });
    expect(check({ timestamp: 'yesterday' })).toEqual({ ok: false, reason: 'missing_timestamp' });
    expect(check({ timestamp: '-5' })).toEqual({ ok: false, reason: 'missing_timestamp' });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(check({ signature: '  ' })).toEqual({ ok: false, reason: 'missing_signature' });
    // Junk that base64 decoding would skip must not make a signature match.
    const good = signatureV3(SECRET, 'POST', URI, BODY, String(NOW - 1000));
    expect(check({ signature: `${good}!!` })).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

describe('signedUri', () => {
  test('the request as seen, or the configured public base URL behind a proxy', () => {
    const req = { protocol: 'http', host: '10.0.0.5:7480', url: '/webhooks/hubspot?source=app' };
    expect(signedUri(req)).toBe('http://10.0.0.5:7480/webhooks/hubspot?source=app');
    expect(signedUri(req, 'https://baton.example.com/')).toBe('https://baton.example.com/webhooks/hubspot?source=app');
    expect(signedUri(req, 'https://example.com/baton')).toBe('https://example.com/baton/webhooks/hubspot?source=app');
  });

  test("HubSpot's listed escapes are decoded before comparing; others stay", () => {
    expect(normalizeSignedUri('https://x.example/h?a=%3A%2f%40%21%24%27%28%29%2A%2C%3B%3F&b=%20%26')).toBe(
      "https://x.example/h?a=:/@!$'()*,;?&b=%20%26",
    );
  });
});
