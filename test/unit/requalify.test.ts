import { parseDuration } from '../../src/config/handover-file';
import { previousHandoverOf, qualifies, type QualificationPolicy } from '../../src/handover/qualify';

/** The cool-down after sales' verdict (qualification > requalify_after), table-driven. */
const DAY = 86_400_000;
const NOW = new Date('2026-11-26T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const duration = (text: string) => {
  const d = parseDuration(text);
  if (d === null) throw new Error(`not a duration: ${text}`);
  return d;
};

const policy: QualificationPolicy = {
  qualification: {
    score: { property: 'hubspotscore', at_least: 70 },
    conditions: [],
    domain_lists: {},
    requalify_after: { rejected: duration('90d'), recycled: duration('30d') },
  },
};
const mql = { hubspotscore: '85' };

describe('qualification > requalify_after', () => {
  it.each<[string, { outcome: 'accepted' | 'rejected' | 'recycled'; at: Date } | null, boolean, string[]]>([
    ['never handed over', null, true, ['hubspotscore is 85, at least 70']],
    [
      'rejected 10 days ago',
      { outcome: 'rejected', at: daysAgo(10) },
      false,
      ['rejected by sales on 2026-11-16 (10 days ago); can qualify again after 90d, from 2027-02-14'],
    ],
    [
      'rejected 91 days ago',
      { outcome: 'rejected', at: daysAgo(91) },
      true,
      [
        'hubspotscore is 85, at least 70',
        'rejected by sales on 2026-08-27 (91 days ago), longer ago than the 90d cool-down',
      ],
    ],
    [
      'recycled 29 days ago',
      { outcome: 'recycled', at: daysAgo(29) },
      false,
      ['recycled by sales on 2026-10-28 (29 days ago); can qualify again after 30d, from 2026-11-27'],
    ],
    [
      'recycled 31 days ago',
      { outcome: 'recycled', at: daysAgo(31) },
      true,
      [
        'hubspotscore is 85, at least 70',
        'recycled by sales on 2026-10-26 (31 days ago), longer ago than the 30d cool-down',
      ],
    ],
    // Accepted leads stop at the lifecycle stage condition; no cool-down of their own.
    ['accepted 1 day ago', { outcome: 'accepted', at: daysAgo(1) }, true, ['hubspotscore is 85, at least 70']],
    [
      'rejected an hour ago',
      { outcome: 'rejected', at: new Date(NOW.getTime() - 3_600_000) },
      false,
      ['rejected by sales on 2026-11-26 (1 hour ago); can qualify again after 90d, from 2027-02-24'],
    ],
  ])('%s', (_label, previous, qualified, reasons) => {
    expect(qualifies(policy, mql, { previous, now: NOW })).toEqual({ qualified, reasons });
  });

  it('lists the cool-down with the other failed criteria', () => {
    const result = qualifies(
      policy,
      { hubspotscore: '40' },
      { previous: { outcome: 'rejected', at: daysAgo(2) }, now: NOW },
    );
    expect(result).toEqual({
      qualified: false,
      reasons: [
        'hubspotscore is 40, below 70',
        'rejected by sales on 2026-11-24 (2 days ago); can qualify again after 90d, from 2027-02-22',
      ],
    });
  });

  it('applies the defaults (90d rejected, 30d recycled) when the policy leaves the key out', () => {
    const bare: QualificationPolicy = {
      qualification: { score: { property: 'hubspotscore', at_least: 70 }, conditions: [], domain_lists: {} },
    };
    expect(qualifies(bare, mql, { previous: { outcome: 'rejected', at: daysAgo(89) }, now: NOW }).qualified).toBe(
      false,
    );
    expect(qualifies(bare, mql, { previous: { outcome: 'rejected', at: daysAgo(90) }, now: NOW }).qualified).toBe(true);
    expect(qualifies(bare, mql, { previous: { outcome: 'recycled', at: daysAgo(29) }, now: NOW }).qualified).toBe(
      false,
    );
    expect(qualifies(bare, mql, { previous: { outcome: 'recycled', at: daysAgo(30) }, now: NOW }).qualified).toBe(true);
  });

  it('judges without history exactly as before', () => {
    expect(qualifies(policy, mql)).toEqual({ qualified: true, reasons: ['hubspotscore is 85, at least 70'] });
  });
});

describe('previousHandoverOf', () => {
  it('reads a verdict event and ignores every other kind', () => {
    const at = daysAgo(3);
    expect(previousHandoverOf({ type: 'recycled', occurredAt: at })).toEqual({ outcome: 'recycled', at });
    expect(previousHandoverOf({ type: 'handed_over', occurredAt: at })).toBeNull();
    expect(previousHandoverOf(undefined)).toBeNull();
  });
});
