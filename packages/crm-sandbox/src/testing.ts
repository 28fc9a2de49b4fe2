/**
 * Fixed demo data the `demo` preset seeds (reps, companies, names, regions), for tests and
 * benchmarks that need to know what the sandboxes hold without asking them.
 */
export {
  DEMO_COMPANIES,
  DEMO_CONTACT_COUNT,
  DEMO_FIRST_NAMES,
  DEMO_LAST_NAMES,
  DEMO_REGION_OF_COUNTRY,
  DEMO_SALES_REPS,
  seededRandom,
  type SalesRep,
} from './demo';
export { employeeRange } from './hubspot/seed';
export { LIFECYCLE_STAGES } from './hubspot/properties';
