/**
 * The HubSpot-defined company properties the sandbox knows: the ones account matching,
 * routing (region, industry, size) and the dossier read.
 * https://knowledge.hubspot.com/properties/hubspot-crm-default-company-properties
 */
import { define, LEAD_STATUSES, LIFECYCLE_STAGES, options, readOnlyDateSeed, textSeed, type PropertyDefinition, type PropertySeed } from './properties';

/**
 * HubSpot's `industry` enumeration on companies (LinkedIn's classic industry list). On
 * contacts `industry` is free text; on companies a value outside this list is an
 * INVALID_OPTION, which is exactly what bites a sync mapping Salesforce's picklist.
 */
export const COMPANY_INDUSTRIES = [
  'ACCOUNTING', 'AIRLINES_AVIATION', 'ALTERNATIVE_DISPUTE_RESOLUTION', 'ALTERNATIVE_MEDICINE', 'ANIMATION',
  'APPAREL_FASHION', 'ARCHITECTURE_PLANNING', 'ARTS_AND_CRAFTS', 'AUTOMOTIVE', 'AVIATION_AEROSPACE', 'BANKING',
  'BIOTECHNOLOGY', 'BROADCAST_MEDIA', 'BUILDING_MATERIALS', 'BUSINESS_SUPPLIES_AND_EQUIPMENT', 'CAPITAL_MARKETS',
  'CHEMICALS', 'CIVIC_SOCIAL_ORGANIZATION', 'CIVIL_ENGINEERING', 'COMMERCIAL_REAL_ESTATE', 'COMPUTER_NETWORK_SECURITY',
  'COMPUTER_GAMES', 'COMPUTER_HARDWARE', 'COMPUTER_NETWORKING', 'COMPUTER_SOFTWARE', 'INTERNET', 'CONSTRUCTION',
  'CONSUMER_ELECTRONICS', 'CONSUMER_GOODS', 'CONSUMER_SERVICES', 'COSMETICS', 'DAIRY', 'DEFENSE_SPACE', 'DESIGN',
  'EDUCATION_MANAGEMENT', 'E_LEARNING', 'ELECTRICAL_ELECTRONIC_MANUFACTURING', 'ENTERTAINMENT', 'ENVIRONMENTAL_SERVICES',
  'EVENTS_SERVICES', 'EXECUTIVE_OFFICE', 'FACILITIES_SERVICES', 'FARMING', 'FINANCIAL_SERVICES', 'FINE_ART', 'FISHERY',
  'FOOD_BEVERAGES', 'FOOD_PRODUCTION', 'FUND_RAISING', 'FURNITURE', 'GAMBLING_CASINOS', 'GLASS_CERAMICS_CONCRETE',
  'GOVERNMENT_ADMINISTRATION', 'GOVERNMENT_RELATIONS', 'GRAPHIC_DESIGN', 'HEALTH_WELLNESS_AND_FITNESS',
  'HIGHER_EDUCATION', 'HOSPITAL_HEALTH_CARE', 'HOSPITALITY', 'HUMAN_RESOURCES', 'IMPORT_AND_EXPORT',
  'INDIVIDUAL_FAMILY_SERVICES', 'INDUSTRIAL_AUTOMATION', 'INFORMATION_SERVICES', 'INFORMATION_TECHNOLOGY_AND_SERVICES',
  'INSURANCE', 'INTERNATIONAL_AFFAIRS', 'INTERNATIONAL_TRADE_AND_DEVELOPMENT', 'INVESTMENT_BANKING',
  'INVESTMENT_MANAGEMENT', 'JUDICIARY', 'LAW_ENFORCEMENT', 'LAW_PRACTICE', 'LEGAL_SERVICES', 'LEGISLATIVE_OFFICE',
  'LEISURE_TRAVEL_TOURISM', 'LIBRARIES', 'LOGISTICS_AND_SUPPLY_CHAIN', 'LUXURY_GOODS_JEWELRY', 'MACHINERY',
  'MANAGEMENT_CONSULTING', 'MARITIME', 'MARKET_RESEARCH', 'MARKETING_AND_ADVERTISING',
  'MECHANICAL_OR_INDUSTRIAL_ENGINEERING', 'MEDIA_PRODUCTION', 'MEDICAL_DEVICES', 'MEDICAL_PRACTICE',
  'MENTAL_HEALTH_CARE', 'MILITARY', 'MINING_METALS', 'MOTION_PICTURES_AND_FILM', 'MUSEUMS_AND_INSTITUTIONS', 'MUSIC',
  'NANOTECHNOLOGY', 'NEWSPAPERS', 'NON_PROFIT_ORGANIZATION_MANAGEMENT', 'OIL_ENERGY', 'ONLINE_MEDIA',
  'OUTSOURCING_OFFSHORING', 'PACKAGE_FREIGHT_DELIVERY', 'PACKAGING_AND_CONTAINERS', 'PAPER_FOREST_PRODUCTS',
  'PERFORMING_ARTS', 'PHARMACEUTICALS', 'PHILANTHROPY', 'PHOTOGRAPHY', 'PLASTICS', 'POLITICAL_ORGANIZATION',
  'PRIMARY_SECONDARY_EDUCATION', 'PRINTING', 'PROFESSIONAL_TRAINING_COACHING', 'PROGRAM_DEVELOPMENT', 'PUBLIC_POLICY',
  'PUBLIC_RELATIONS_AND_COMMUNICATIONS', 'PUBLIC_SAFETY', 'PUBLISHING', 'RAILROAD_MANUFACTURE', 'RANCHING',
  'REAL_ESTATE', 'RECREATIONAL_FACILITIES_AND_SERVICES', 'RELIGIOUS_INSTITUTIONS', 'RENEWABLES_ENVIRONMENT',
  'RESEARCH', 'RESTAURANTS', 'RETAIL', 'SECURITY_AND_INVESTIGATIONS', 'SEMICONDUCTORS', 'SHIPBUILDING',
  'SPORTING_GOODS', 'SPORTS', 'STAFFING_AND_RECRUITING', 'SUPERMARKETS', 'TELECOMMUNICATIONS', 'TEXTILES',
  'THINK_TANKS', 'TOBACCO', 'TRANSLATION_AND_LOCALIZATION', 'TRANSPORTATION_TRUCKING_RAILROAD', 'UTILITIES',
  'VENTURE_CAPITAL_PRIVATE_EQUITY', 'VETERINARY', 'WAREHOUSING', 'WHOLESALE', 'WINE_AND_SPIRITS', 'WIRELESS',
  'WRITING_AND_EDITING', 'MOBILE_GAMES',
] as const;

export const COMPANY_TYPES = [
  ['PROSPECT', 'Prospect'],
  ['PARTNER', 'Partner'],
  ['RESELLER', 'Reseller'],
  ['VENDOR', 'Vendor'],
  ['OTHER', 'Other'],
] as const;

/** "COMPUTER_SOFTWARE" → "Computer Software" (HubSpot's labels read close to this; exact labels unverified). */
function labelOf(value: string): string {
  return value
    .toLowerCase()
    .split('_')
    .map((w) => (w === 'and' ? 'and' : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

export function defaultCompanyProperties(at: number): PropertyDefinition[] {
  const seeds: PropertySeed[] = [
    textSeed('name', 'Company name'),
    textSeed('domain', 'Company Domain Name'),
    textSeed('website', 'Website URL'),
    textSeed('phone', 'Phone Number', { fieldType: 'phonenumber' }),
    textSeed('address', 'Street Address'),
    textSeed('city', 'City'),
    textSeed('state', 'State/Region'),
    textSeed('zip', 'Postal Code'),
    textSeed('country', 'Country/Region'),
    textSeed('description', 'Description', { fieldType: 'textarea' }),
    {
      name: 'industry',
      label: 'Industry',
      type: 'enumeration',
      fieldType: 'select',
      formField: true,
      options: options(COMPANY_INDUSTRIES.map((v) => [v, labelOf(v)] as const)),
    },
    { name: 'numberofemployees', label: 'Number of Employees', type: 'number', fieldType: 'number', formField: true },
    { name: 'annualrevenue', label: 'Annual Revenue', type: 'number', fieldType: 'number', formField: true },
    { name: 'type', label: 'Type', type: 'enumeration', fieldType: 'select', formField: true, options: options(COMPANY_TYPES) },
    {
      name: 'lifecyclestage',
      label: 'Lifecycle Stage',
      type: 'enumeration',
      fieldType: 'radio',
      options: options(LIFECYCLE_STAGES),
    },
    {
      name: 'hs_lead_status',
      label: 'Lead Status',
      type: 'enumeration',
      fieldType: 'radio',
      options: options(LEAD_STATUSES),
    },
    {
      name: 'hubspot_owner_id',
      label: 'Company owner',
      type: 'enumeration',
      fieldType: 'select',
      referencedObjectType: 'OWNER',
    },
    { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', readOnlyValue: true },
    { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date' },
    readOnlyDateSeed('hs_lastmodifieddate', 'Last Modified Date'),
    readOnlyDateSeed('notes_last_contacted', 'Last Contacted'),
    ...LIFECYCLE_STAGES.map(([stage, label]) =>
      readOnlyDateSeed(`hs_lifecyclestage_${stage}_date`, `Became a ${label} Date`, { calculated: true }),
    ),
  ];
  return seeds.map((seed, i) => define(seed, at, i, 'companyinformation'));
}
