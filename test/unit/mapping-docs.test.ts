import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { parseObjectMapping } from '../../src/config/mapping-file';

/**
 * Every YAML example in docs/mappings.md is a valid mapping (completed with the keys it
 * leaves out), so the reference RevOps copy from never drifts from what Baton accepts.
 */
const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'mappings.md'), 'utf8');
const TOP_LEVEL = new Set([
  'name',
  'hubspot',
  'salesforce',
  'match',
  'conflict',
  'on_delete',
  'lead_conversion',
  'fields',
]);
const BASE = {
  hubspot: { object: 'contacts' },
  salesforce: { object: 'Lead' },
  match: { hubspot: 'email', salesforce: 'Email' },
  conflict: 'last_write_wins',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function examples(): { at: number; yaml: string }[] {
  const out: { at: number; yaml: string }[] = [];
  const fence = /```yaml\n([\s\S]*?)```/g;
  for (let m = fence.exec(DOC); m; m = fence.exec(DOC))
    out.push({ at: DOC.slice(0, m.index).split('\n').length, yaml: m[1] ?? '' });
  return out;
}

/** The example as a whole file: field entries go under fields, top-level keys over the base. */
function completed(yaml: string): string | undefined {
  const value: unknown = parse(yaml);
  if (Array.isArray(value)) return stringify({ ...BASE, fields: value });
  if (isRecord(value) && Object.keys(value).every((k) => TOP_LEVEL.has(k))) {
    return stringify({
      ...BASE,
      fields: [{ hubspot: 'email', salesforce: 'Email', direction: 'to_salesforce' }],
      ...value,
    });
  }
  return undefined;
}

describe('docs/mappings.md', () => {
  const all = examples();
  const checkable = all
    .map((e) => ({ ...e, file: completed(e.yaml) }))
    .filter((e): e is { at: number; yaml: string; file: string } => e.file !== undefined);

  it('has examples, nearly all of them checkable on their own', () => {
    expect(checkable.length).toBeGreaterThanOrEqual(all.length - 2);
    expect(checkable.length).toBeGreaterThan(20);
  });

  it.each(checkable.map((e) => [e.at, e.file] as const))('the example at line %i is a valid mapping', (_at, file) => {
    const { problems } = parseObjectMapping(file, 'example.yaml');
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.path}: ${p.message}`)).toEqual([]);
  });
});
