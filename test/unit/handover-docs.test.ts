import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { parseHandoverPolicy } from '../../src/config/handover-file';

/**
 * Every YAML example in docs/handover.md is a valid policy once completed: a section
 * replaces the same section of the shipped mappings/handover.yaml, and a routing rule is
 * put first among the rules of the doc's own routing example. The reference RevOps copy
 * from never drifts from what Baton accepts.
 */
const ROOT = path.join(__dirname, '..', '..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'handover.md'), 'utf8');
const SECTIONS = new Set(['qualification', 'routing', 'presales', 'sla', 'campaign_stop', 'feedback']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readRecord(text: string): Record<string, unknown> {
  const value: unknown = parse(text);
  if (!isRecord(value)) throw new Error('expected a mapping');
  return value;
}

const SHIPPED = readRecord(fs.readFileSync(path.join(ROOT, 'mappings', 'handover.yaml'), 'utf8'));

function examples(): { at: number; yaml: string }[] {
  const out: { at: number; yaml: string }[] = [];
  const fence = /```yaml\n([\s\S]*?)```/g;
  for (let m = fence.exec(DOC); m; m = fence.exec(DOC))
    out.push({ at: DOC.slice(0, m.index).split('\n').length, yaml: m[1] ?? '' });
  return out;
}

/** Removes the indentation the example shares, so a fragment reads on its own. */
function dedent(yaml: string): string {
  const lines = yaml.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

function completed(yaml: string, routingExample: unknown): string | undefined {
  const value: unknown = parse(dedent(yaml));
  if (isRecord(value) && Object.keys(value).every((k) => SECTIONS.has(k))) return stringify({ ...SHIPPED, ...value });
  // A list of rules: the first rules of the doc's routing example.
  if (Array.isArray(value) && value.every((r) => isRecord(r) && 'team' in r) && isRecord(routingExample)) {
    const rules = Array.isArray(routingExample.rules) ? routingExample.rules : [];
    return stringify({ ...SHIPPED, routing: { ...routingExample, rules: [...value, ...rules] } });
  }
  return undefined;
}

describe('docs/handover.md', () => {
  const all = examples();
  const routingExample = all
    .map((e): unknown => parse(e.yaml))
    .find((v): v is { routing: unknown } => isRecord(v) && 'routing' in v)?.routing;
  const checkable = all
    .map((e) => ({ ...e, file: completed(e.yaml, routingExample) }))
    .filter((e): e is { at: number; yaml: string; file: string } => e.file !== undefined);

  it('has examples, nearly all of them checkable on their own', () => {
    expect(routingExample).toBeDefined();
    // The reps fragment mixes a weight into a list whose team strategy it does not show.
    expect(checkable.length).toBeGreaterThanOrEqual(all.length - 1);
    expect(checkable.length).toBeGreaterThanOrEqual(8);
  });

  it.each(checkable.map((e) => [e.at, e.file] as const))('the example at line %i is a valid policy', (_at, file) => {
    const { problems } = parseHandoverPolicy(file, 'handover.yaml');
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.path}: ${p.message}`)).toEqual([]);
  });
});
