/**
 * Deterministic demo data shared by both sandboxes, so that the sales reps exist on
 * both sides with the same emails (HubSpot owners ↔ Salesforce Users), as they do in a
 * real portal/org pair.
 */

/** A small, fast, seedable PRNG (mulberry32): demo data is identical on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SalesRep {
  firstName: string;
  lastName: string;
  email: string;
  region: 'NA' | 'EMEA' | 'APAC' | 'LATAM';
  team: string;
}

export const DEMO_SALES_REPS: readonly SalesRep[] = [
  { firstName: 'Ada', lastName: 'Okafor', email: 'ada.okafor@baton-demo.example', region: 'NA', team: 'NA Enterprise' },
  { firstName: 'Bruno', lastName: 'Silva', email: 'bruno.silva@baton-demo.example', region: 'LATAM', team: 'LATAM' },
  { firstName: 'Chen', lastName: 'Wei', email: 'chen.wei@baton-demo.example', region: 'APAC', team: 'APAC' },
  { firstName: 'Dana', lastName: 'Kowalski', email: 'dana.kowalski@baton-demo.example', region: 'EMEA', team: 'EMEA' },
  { firstName: 'Elif', lastName: 'Yilmaz', email: 'elif.yilmaz@baton-demo.example', region: 'EMEA', team: 'EMEA' },
  {
    firstName: 'Farah',
    lastName: 'Haddad',
    email: 'farah.haddad@baton-demo.example',
    region: 'NA',
    team: 'NA Mid-Market',
  },
  {
    firstName: 'Gus',
    lastName: 'Lindqvist',
    email: 'gus.lindqvist@baton-demo.example',
    region: 'NA',
    team: 'NA Mid-Market',
  },
  { firstName: 'Hana', lastName: 'Sato', email: 'hana.sato@baton-demo.example', region: 'APAC', team: 'APAC' },
];

export const DEMO_FIRST_NAMES = [
  'Alex',
  'Sam',
  'Jordan',
  'Taylor',
  'Morgan',
  'Casey',
  'Riley',
  'Jamie',
  'Avery',
  'Quinn',
  'Noah',
  'Emma',
  'Liam',
  'Olivia',
  'Mateo',
  'Sofia',
  'Lucas',
  'Mia',
  'Arjun',
  'Priya',
  'Kenji',
  'Yuki',
  'Lena',
  'Jonas',
  'Chloe',
  'Hugo',
  'Amara',
  'Tariq',
  'Ines',
  'Pavel',
] as const;

export const DEMO_LAST_NAMES = [
  'Smith',
  'Johnson',
  'Garcia',
  'Muller',
  'Rossi',
  'Dubois',
  'Nakamura',
  'Patel',
  'Kim',
  'Nguyen',
  'Andersen',
  'Novak',
  'Costa',
  'Schmidt',
  'Ivanova',
  'Brown',
  'Lopez',
  'Khan',
  'Fischer',
  'Moreau',
] as const;

export const DEMO_COMPANIES: readonly {
  name: string;
  domain: string;
  industry: string;
  employees: number;
  country: string;
}[] = [
  {
    name: 'Acme Robotics',
    domain: 'acmerobotics.example',
    industry: 'Manufacturing',
    employees: 1200,
    country: 'United States',
  },
  {
    name: 'Bluefin Analytics',
    domain: 'bluefin.example',
    industry: 'Software',
    employees: 85,
    country: 'United Kingdom',
  },
  {
    name: 'Cobalt Health',
    domain: 'cobalthealth.example',
    industry: 'Healthcare',
    employees: 4300,
    country: 'Germany',
  },
  { name: 'Dynamo Logistics', domain: 'dynamolog.example', industry: 'Logistics', employees: 640, country: 'Brazil' },
  { name: 'Evergreen Foods', domain: 'evergreenfoods.example', industry: 'Retail', employees: 230, country: 'Canada' },
  { name: 'Fjord Energy', domain: 'fjordenergy.example', industry: 'Energy', employees: 9800, country: 'Norway' },
  {
    name: 'Granite Capital',
    domain: 'granitecap.example',
    industry: 'Financial Services',
    employees: 150,
    country: 'Singapore',
  },
  { name: 'Helix Biotech', domain: 'helixbio.example', industry: 'Healthcare', employees: 45, country: 'Japan' },
  { name: 'Ionic Media', domain: 'ionicmedia.example', industry: 'Media', employees: 310, country: 'France' },
  {
    name: 'Juniper Retail',
    domain: 'juniperretail.example',
    industry: 'Retail',
    employees: 2700,
    country: 'Australia',
  },
  {
    name: 'Kestrel Security',
    domain: 'kestrelsec.example',
    industry: 'Software',
    employees: 520,
    country: 'United States',
  },
  { name: 'Lumen Education', domain: 'lumenedu.example', industry: 'Education', employees: 95, country: 'Mexico' },
];

/** Which sales region a demo company's country belongs to (both sandboxes assign reps by it). */
export const DEMO_REGION_OF_COUNTRY: Readonly<Record<string, SalesRep['region']>> = {
  'United States': 'NA',
  Canada: 'NA',
  Brazil: 'LATAM',
  Mexico: 'LATAM',
  'United Kingdom': 'EMEA',
  Germany: 'EMEA',
  Norway: 'EMEA',
  France: 'EMEA',
  Singapore: 'APAC',
  Japan: 'APAC',
  Australia: 'APAC',
};

export const DEMO_CONTACT_COUNT = 240;
