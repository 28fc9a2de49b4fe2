/**
 * Marketing life in the HubSpot sandbox: visitors view pages and submit forms, which
 * raises their HubSpot score, and new contacts sign up.
 *
 * `hubspotscore` is calculated by HubSpot and read-only through the API, so the
 * simulation writes into the sandbox state, as HubSpot's scoring engine would, with the
 * CALCULATED source so property history tells it apart from user edits. Activity counters
 * (page views, conversions) are written only when the portal defines those properties.
 * https://knowledge.hubspot.com/properties/determine-likelihood-to-close-with-predictive-lead-scoring
 *
 * A portal with the custom `lead_score` (the demo's) also has a scoring tool: it adds the
 * same points there, as its own app, in a write of its own after HubSpot's.
 */
import { DEMO_COMPANIES, DEMO_FIRST_NAMES, DEMO_LAST_NAMES } from '../demo';
import { LEAD_SCORE_PROPERTY, SCORING_APP_SOURCE } from '../hubspot/seed';
import type { Dice } from './random';

/** Who wrote a value, as the HubSpot sandbox records it in property history. */
export interface SimWriteSource {
  sourceType: string;
  sourceId?: string;
}

export interface SimContact {
  readonly id: string;
  readonly properties: Readonly<Record<string, string>>;
}

/**
 * The part of the HubSpot sandbox state the simulation uses. `HubSpotState` from
 * `src/hubspot` has it; tests may pass a small fake.
 */
export interface SimHubSpot {
  readonly contacts: {
    active(): Iterable<SimContact>;
    findByUnique(value: string): SimContact | undefined;
    insert(
      values: Readonly<Record<string, string>>,
      now: number,
      createdAt?: number,
      source?: SimWriteSource,
    ): SimContact;
    update(
      record: SimContact,
      values: Readonly<Record<string, string>>,
      now: number,
      source?: SimWriteSource,
    ): string[];
  };
  /** Property definitions, to write activity counters only where the portal has them. */
  readonly properties?: { readonly contacts: { has(name: string): boolean } };
}

export interface MarketingOptions {
  /** Page views per tick across the portal, on average. Default 4. */
  pageViewsPerTick?: number;
  /** Form submissions per tick, on average. Default 0.5. */
  formSubmissionsPerTick?: number;
  /** New contacts per tick, on average. Default 0.2. */
  newContactsPerTick?: number;
  /** Score points per page view, [min, max]. Default [1, 3]. */
  pageViewPoints?: readonly [number, number];
  /** Score points per form submission, [min, max]. Default [8, 15]. */
  formPoints?: readonly [number, number];
  /** Scores never pass this. Default 100. */
  maxScore?: number;
  /** Lifecycle stages still in marketing's hands, whose behaviour is scored (blank counts too). */
  stages?: readonly string[];
  /**
   * Promote a contact to `marketingqualifiedlead` once its score reaches this, as a portal's
   * lifecycle workflow would. Off by default: Baton's own criteria read the score.
   */
  promoteToMqlAtScore?: number;
}

export interface MarketingReport {
  pageViews: number;
  formSubmissions: number;
  newContacts: number;
  /** Contacts whose score changed this tick. */
  scored: number;
}

const CALCULATED: SimWriteSource = { sourceType: 'CALCULATED' };
const FORM: SimWriteSource = { sourceType: 'FORM' };
const MARKETING_STAGES = ['subscriber', 'lead', 'marketingqualifiedlead'] as const;
const FORMS = [
  'Demo request',
  'Pricing page contact',
  'Webinar registration',
  'Whitepaper download',
  'Newsletter signup',
] as const;
const NEW_CONTACT_TITLES = [
  'Marketing Manager',
  'Head of Operations',
  'CTO',
  'Procurement Lead',
  'Director of IT',
  'VP Sales',
] as const;

/** Activity properties HubSpot analytics keeps; written only when defined in the portal. */
const PAGE_VIEWS = 'hs_analytics_num_page_views';
const LAST_VISIT = 'hs_analytics_last_visit_timestamp';
const CONVERSIONS = 'num_conversion_events';
const RECENT_CONVERSION_DATE = 'recent_conversion_date';
const RECENT_CONVERSION_NAME = 'recent_conversion_event_name';

interface Activity {
  contact: SimContact;
  points: number;
  pageViews: number;
  forms: string[];
}

export class MarketingLife {
  private readonly pageViewsPerTick: number;
  private readonly formSubmissionsPerTick: number;
  private readonly newContactsPerTick: number;
  private readonly pageViewPoints: readonly [number, number];
  private readonly formPoints: readonly [number, number];
  private readonly maxScore: number;
  private readonly stages: ReadonlySet<string>;
  private readonly promoteAt: number | undefined;

  constructor(
    private readonly hubspot: SimHubSpot,
    private readonly dice: Dice,
    options: MarketingOptions = {},
  ) {
    this.pageViewsPerTick = options.pageViewsPerTick ?? 4;
    this.formSubmissionsPerTick = options.formSubmissionsPerTick ?? 0.5;
    this.newContactsPerTick = options.newContactsPerTick ?? 0.2;
    this.pageViewPoints = options.pageViewPoints ?? [1, 3];
    this.formPoints = options.formPoints ?? [8, 15];
    this.maxScore = options.maxScore ?? 100;
    this.stages = new Set(options.stages ?? MARKETING_STAGES);
    this.promoteAt = options.promoteToMqlAtScore;
  }

  tick(now: number): MarketingReport {
    const report: MarketingReport = { pageViews: 0, formSubmissions: 0, newContacts: 0, scored: 0 };
    const pageViews = this.dice.count(this.pageViewsPerTick);
    const forms = this.dice.count(this.formSubmissionsPerTick);
    const newContacts = this.dice.count(this.newContactsPerTick);

    if (pageViews + forms > 0) {
      const audience = [...this.hubspot.contacts.active()].filter((c) =>
        this.stages.has(c.properties.lifecyclestage ?? 'subscriber'),
      );
      // One write per contact per tick, however many things it did: fewer change events.
      const activity = new Map<string, Activity>();
      const touch = (contact: SimContact): Activity => {
        let a = activity.get(contact.id);
        if (!a) activity.set(contact.id, (a = { contact, points: 0, pageViews: 0, forms: [] }));
        return a;
      };
      for (let i = 0; i < pageViews; i++) {
        const contact = this.dice.pick(audience);
        if (!contact) break;
        const a = touch(contact);
        a.pageViews++;
        a.points += this.dice.between(...this.pageViewPoints);
        report.pageViews++;
      }
      for (let i = 0; i < forms; i++) {
        const contact = this.dice.pick(audience);
        if (!contact) break;
        const a = touch(contact);
        a.forms.push(this.dice.pick(FORMS) ?? FORMS[0]);
        a.points += this.dice.between(...this.formPoints);
        report.formSubmissions++;
      }
      for (const a of activity.values()) if (this.record(a, now)) report.scored++;
    }

    for (let i = 0; i < newContacts; i++) {
      this.signUp(now);
      report.newContacts++;
    }
    return report;
  }

  /** Writes one contact's activity; true when its score changed. */
  private record(a: Activity, now: number): boolean {
    const p = a.contact.properties;
    const before = Number(p.hubspotscore ?? '0');
    const score = Math.min(this.maxScore, (Number.isFinite(before) ? before : 0) + a.points);
    const values: Record<string, string> = {};
    if (score !== before) values.hubspotscore = String(score);
    if (this.promoteAt !== undefined && score >= this.promoteAt && p.lifecyclestage !== 'marketingqualifiedlead') {
      values.lifecyclestage = 'marketingqualifiedlead';
    }
    if (a.pageViews > 0 && this.has(PAGE_VIEWS))
      values[PAGE_VIEWS] = String(Number(p[PAGE_VIEWS] ?? '0') + a.pageViews);
    if (a.pageViews > 0 && this.has(LAST_VISIT)) values[LAST_VISIT] = new Date(now).toISOString();
    const lastForm = a.forms[a.forms.length - 1];
    if (lastForm !== undefined) {
      if (this.has(CONVERSIONS)) values[CONVERSIONS] = String(Number(p[CONVERSIONS] ?? '0') + a.forms.length);
      if (this.has(RECENT_CONVERSION_DATE)) values[RECENT_CONVERSION_DATE] = new Date(now).toISOString();
      if (this.has(RECENT_CONVERSION_NAME)) values[RECENT_CONVERSION_NAME] = lastForm;
    }
    if (Object.keys(values).length > 0) this.hubspot.contacts.update(a.contact, values, now, CALCULATED);
    const leadScore = this.has(LEAD_SCORE_PROPERTY) ? this.scoreLead(a.contact, a.points, now) : false;
    return values.hubspotscore !== undefined || leadScore;
  }

  private has(name: string): boolean {
    return this.hubspot.properties?.contacts.has(name) === true;
  }

  /** The scoring tool's write: `points` more on `lead_score`, capped like HubSpot's; true when it changed. */
  private scoreLead(contact: SimContact, points: number, now: number): boolean {
    const raw = Number(contact.properties[LEAD_SCORE_PROPERTY] ?? '0');
    const before = Number.isFinite(raw) ? raw : 0;
    const score = Math.min(this.maxScore, before + points);
    if (score === before && contact.properties[LEAD_SCORE_PROPERTY] !== undefined) return false;
    this.hubspot.contacts.update(contact, { [LEAD_SCORE_PROPERTY]: String(score) }, now, SCORING_APP_SOURCE);
    return true;
  }

  /** A new visitor fills in a form: a contact with a low starting score. */
  private signUp(now: number): SimContact {
    const first = this.dice.pick(DEMO_FIRST_NAMES) ?? 'Alex';
    const last = this.dice.pick(DEMO_LAST_NAMES) ?? 'Smith';
    const company = this.dice.pick(DEMO_COMPANIES);
    const domain = company?.domain ?? 'example.com';
    const local = `${first}.${last}`.toLowerCase();
    let email = `${local}@${domain}`;
    for (let n = 2; this.hubspot.contacts.findByUnique(email); n++) email = `${local}${n}@${domain}`;
    const values: Record<string, string> = {
      email,
      firstname: first,
      lastname: last,
      jobtitle: this.dice.pick(NEW_CONTACT_TITLES) ?? 'Manager',
      lifecyclestage: this.dice.chance(0.6) ? 'lead' : 'subscriber',
      hubspotscore: String(this.dice.between(0, 15)),
    };
    if (company) {
      Object.assign(values, {
        company: company.name,
        website: `https://www.${company.domain}`,
        country: company.country,
        industry: company.industry,
      });
    }
    const contact = this.hubspot.contacts.insert(values, now, now, FORM);
    // The scoring tool picks a new contact up with HubSpot's starting score.
    if (this.has(LEAD_SCORE_PROPERTY))
      this.hubspot.contacts.update(
        contact,
        { [LEAD_SCORE_PROPERTY]: values.hubspotscore ?? '0' },
        now,
        SCORING_APP_SOURCE,
      );
    return contact;
  }
}
