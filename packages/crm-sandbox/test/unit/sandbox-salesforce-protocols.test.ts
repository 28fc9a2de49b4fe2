import { replicationSpan } from '../../src/salesforce/routes/replication';
import { Sessions } from '../../src/salesforce/sessions';
import { childNamed, childrenNamed, isNil, parseXml } from '../../src/salesforce/soap/xml';

describe('SOAP XML reader', () => {
  test('elements, prefixes, attributes, entities, CDATA, comments and nil', () => {
    const root = parseXml(
      '<?xml version="1.0"?><!-- hi --><s:Envelope xmlns:s="urn:x" a=\'1 &amp; 2\'><s:Body><op><v>&lt;a&gt; &#65;&#x42;</v><v><![CDATA[<raw>]]></v><n xsi:nil="true"/></op></s:Body></s:Envelope>',
    );
    expect(root).toMatchObject({
      name: 's:Envelope',
      local: 'Envelope',
      attributes: { 'xmlns:s': 'urn:x', a: '1 & 2' },
    });
    const op = childNamed(childNamed(root, 'Body'), 'op');
    expect(childrenNamed(op, 'v').map((v) => v.text)).toEqual(['<a> AB', '<raw>']);
    const nil = childNamed(op, 'n');
    expect(nil && isNil(nil)).toBe(true);
    expect(childNamed(op, 'missing')).toBeUndefined();
  });

  test.each([
    ['<a><b></a>', /does not match/],
    ['<a>', /is not closed/],
    ['<a/><b/>', /More than one root/],
    ['<a>&nbsp;</a>', /Unknown entity/],
    ['<a>fish & chips</a>', /Unescaped '&'/],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /Document type declarations are not allowed/],
    ['', /no root element/],
    ['text<a/>', /Text outside the root/],
    ['<a b=c/>', /Expected a quoted value/],
  ])('rejects %j', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(message);
  });
});

describe('replication spans', () => {
  const NOW = Date.parse('2026-03-02T09:41:30.000Z');

  test('seconds are dropped and the span ends at the current minute', () => {
    expect(replicationSpan({ start: '2026-03-02T09:00:59+00:00', end: '2026-03-03T00:00:00+00:00' }, NOW)).toEqual({
      from: '2026-03-02T09:00:00.000+0000',
      to: '2026-03-02T09:41:00.000+0000',
      earliestAvailable: '2026-01-31T00:00:00.000+0000',
    });
    expect(replicationSpan({ start: '2026-03-02T08:00:00Z', end: '2026-03-02T09:10:20Z' }, NOW).to).toBe(
      '2026-03-02T09:10:00.000+0000',
    );
  });

  test('the window opens 30 days before the day of the call', () => {
    expect(() => replicationSpan({ start: '2026-01-31T00:00:00Z', end: '2026-02-01T00:00:00Z' }, NOW)).not.toThrow();
    expect(() => replicationSpan({ start: '2026-01-30T23:59:00Z', end: '2026-02-01T00:00:00Z' }, NOW)).toThrow(
      'startDate cannot be more than 30 days ago',
    );
  });

  test.each([
    [{ end: '2026-03-02T00:00:00Z' }, 'MISSING_ARGUMENT'],
    [{ start: 'yesterday', end: '2026-03-02T00:00:00Z' }, 'INVALID_REPLICATION_DATE'],
    [{ start: '2026-03-02T00:00:00Z', end: '2026-03-01T00:00:00Z' }, 'INVALID_REPLICATION_DATE'],
  ])('%j fails with %s', (query, errorCode) => {
    expect(() => replicationSpan(query, NOW)).toThrow(
      expect.objectContaining({ body: [expect.objectContaining({ errorCode })] }),
    );
  });
});

describe('sessions', () => {
  const identity = { orgId: '00DDn000000001AAAA', userId: '005Dn000000001AAAA', baseUrl: 'http://127.0.0.1:1' };
  const grant = { grant_type: 'refresh_token', client_id: 'id', client_secret: 'secret', refresh_token: 'rt' };

  test('without a TTL the start token never expires; expireAll ends it until restored', () => {
    let now = 0;
    const sessions = new Sessions('fixed', () => now, undefined);
    now = 10 * 365 * 86_400_000;
    expect(sessions.isValid('fixed')).toBe(true);
    expect(sessions.isValid('other')).toBe(false);
    expect(sessions.expireAll()).toBe(1);
    expect(sessions.isValid('fixed')).toBe(false);
    sessions.restoreInitial();
    expect(sessions.isValid('fixed')).toBe(true);
  });

  test('with a TTL tokens expire; a refresh issues a new one and leaves older ones alone', () => {
    let now = 1_000;
    const sessions = new Sessions('fixed', () => now, 500, {
      clientId: 'id',
      clientSecret: 'secret',
      refreshToken: 'rt',
    });
    const answer = sessions.refresh(grant, identity);
    if ('error' in answer) throw new Error(answer.error);
    expect(answer.id).toBe('http://127.0.0.1:1/id/00DDn000000001AAAA/005Dn000000001AAAA');
    expect(answer.issued_at).toBe('1000');
    expect(answer.access_token.startsWith('00DDn000000001A!')).toBe(true);
    now = 1_499;
    expect(sessions.isValid('fixed')).toBe(true);
    expect(sessions.isValid(answer.access_token)).toBe(true);
    now = 1_500;
    expect(sessions.isValid('fixed')).toBe(false);
    expect(sessions.isValid(answer.access_token)).toBe(false);
  });

  test('the signature is the HMAC of id and issued_at under the client secret', async () => {
    const { createHmac } = await import('node:crypto');
    const sessions = new Sessions('fixed', () => 42, undefined, {
      clientId: 'id',
      clientSecret: 'secret',
      refreshToken: 'rt',
    });
    const answer = sessions.refresh(grant, identity);
    if ('error' in answer) throw new Error(answer.error);
    expect(answer.signature).toBe(createHmac('sha256', 'secret').update(`${answer.id}42`).digest('base64'));
  });

  test.each([
    [{ grant_type: 'password' }, 'unsupported_grant_type'],
    [{ client_id: 'nope' }, 'invalid_client_id'],
    [{ client_secret: undefined }, 'invalid_client'],
    [{ refresh_token: 'old' }, 'invalid_grant'],
  ])('%j → %s', (change, error) => {
    const sessions = new Sessions('fixed', () => 0, undefined, {
      clientId: 'id',
      clientSecret: 'secret',
      refreshToken: 'rt',
    });
    expect(sessions.refresh({ ...grant, ...change }, identity)).toMatchObject({ error });
  });
});
