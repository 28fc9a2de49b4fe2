/**
 * Dependencies point one way (DESIGN.md, "Layout"):
 *   cli, dev, server, worker → workflows (api only) / activities → src/sync, src/handover →
 *   src/crm, src/mapping, src/store, src/config.
 * and the CRM sandbox package imports nothing from Baton, while Baton imports it only where
 * a local CRM is the point (`baton dev`, the `sandbox` command, tests, benchmarks).
 * Every import is read from the source, type-only imports included: a type is a dependency too.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const SANDBOX_PACKAGE = '@baton/crm-sandbox';

/** Higher rank may import lower (and equal within its own folder); never the other way round. */
const LAYERS: { name: string; rank: number; matches: (file: string) => boolean }[] = [
  { name: 'src/cli', rank: 7, matches: (f) => f.startsWith('src/cli/') || f === 'src/cli.ts' },
  { name: 'src/dev', rank: 6, matches: (f) => f.startsWith('src/dev/') },
  { name: 'src/worker.ts', rank: 5, matches: (f) => f === 'src/worker.ts' },
  { name: 'src/server', rank: 5, matches: (f) => f.startsWith('src/server/') },
  { name: 'workflows', rank: 4, matches: (f) => f.startsWith('workflows/') && !f.endsWith('/api.ts') },
  { name: 'activities', rank: 4, matches: (f) => f.startsWith('activities/') },
  { name: 'workflow api', rank: 3, matches: (f) => /^workflows\/[^/]+\/api\.ts$/.test(f) },
  { name: 'src/sync', rank: 2, matches: (f) => f.startsWith('src/sync/') },
  { name: 'src/handover', rank: 2, matches: (f) => f.startsWith('src/handover/') },
  { name: 'src/report', rank: 2, matches: (f) => f.startsWith('src/report/') },
  { name: 'src/crm', rank: 1, matches: (f) => f.startsWith('src/crm/') },
  { name: 'src/mapping', rank: 1, matches: (f) => f.startsWith('src/mapping/') },
  { name: 'src/store', rank: 1, matches: (f) => f.startsWith('src/store/') },
  { name: 'src/config', rank: 1, matches: (f) => f.startsWith('src/config/') },
  { name: 'src/logger.ts', rank: 0, matches: (f) => f === 'src/logger.ts' },
];

/** Folders of one rank whose code another may use, and in which direction. */
const SIDEWAYS = new Set(['src/crm→src/mapping', 'src/config→src/mapping']);

function layerOf(file: string) {
  return LAYERS.find((l) => l.matches(file));
}

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

interface Edge {
  from: string;
  to: string;
  /** `import type …` or every name imported as a type: nothing of it exists at run time. */
  typeOnly: boolean;
}

const readSource = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

function resolve(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const resolved = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), spec));
  const candidates = [`${resolved}.ts`, path.join(resolved, 'index.ts'), resolved];
  const hit = candidates.find((c) => fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile());
  return (hit ?? resolved).split(path.sep).join('/');
}

function importsOf(file: string, text: string): Edge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const edges: Edge[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const spec = (node.moduleSpecifier as ts.StringLiteral).text;
      let typeOnly = false;
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings : null;
        typeOnly =
          clause !== undefined &&
          (clause.isTypeOnly ||
            (clause.name === undefined && named !== null && named.elements.every((e) => e.isTypeOnly)));
      } else typeOnly = node.isTypeOnly;
      edges.push({ from: file, to: resolve(file, spec), typeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      edges.push({ from: file, to: resolve(file, node.arguments[0].text), typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Every import in the tree that breaks a rule, as "from → to: why". */
function backEdges(files: string[], read: (file: string) => string = readSource): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const edge of importsOf(file, read(file))) {
      if (file.startsWith('packages/crm-sandbox/')) {
        const escapes =
          edge.to.startsWith('.') ||
          (!edge.to.startsWith('packages/crm-sandbox/') &&
            edge.to.includes('/') &&
            fs.existsSync(path.join(ROOT, edge.to)));
        if (escapes || edge.to === 'baton')
          problems.push(`${file} → ${edge.to}: the sandbox package imports nothing from Baton`);
        continue;
      }
      if (edge.to === SANDBOX_PACKAGE || edge.to.startsWith(`${SANDBOX_PACKAGE}/`) || edge.to.startsWith('packages/')) {
        const allowed = file.startsWith('src/dev/') || file.startsWith('src/cli/');
        if (!allowed) problems.push(`${file} → ${edge.to}: only src/dev and the CLI's sandbox command use the sandbox`);
        continue;
      }
      const to = layerOf(edge.to);
      if (!from || !to || from.name === to.name) continue;
      if (to.rank > from.rank) problems.push(`${file} → ${edge.to}: ${from.name} must not import ${to.name}`);
      // Beside each other, folders share types freely; code only along the edges listed.
      else if (to.rank === from.rank && !edge.typeOnly && !SIDEWAYS.has(`${from.name}→${to.name}`))
        problems.push(`${file} → ${edge.to}: ${from.name} must not use code of ${to.name}`);
    }
  }
  return problems;
}

const TREE = [
  ...sourceFiles('src'),
  ...sourceFiles('activities'),
  ...sourceFiles('workflows'),
  ...sourceFiles('packages/crm-sandbox/src'),
];

describe('one-way dependencies', () => {
  test('every source file belongs to a layer', () => {
    const unplaced = TREE.filter((f) => !f.startsWith('packages/') && !layerOf(f));
    expect(unplaced).toEqual([]);
  });

  test('no import points back up, and the sandbox package stands alone', () => {
    expect(backEdges(TREE)).toEqual([]);
  });

  test('the check catches a back edge and a sandbox import', () => {
    const probe: Record<string, string> = {
      'src/sync/probe.ts':
        "import { createActivities } from '../../activities';\nimport type { X } from '@baton/crm-sandbox';\n",
      'src/crm/probe.ts': "import { openStore } from '../store';\n",
      'packages/crm-sandbox/src/probe.ts': "import { loadConfig } from '../../../src/config/env';\n",
    };
    expect(backEdges(Object.keys(probe), (f) => probe[f] ?? '')).toEqual([
      'src/sync/probe.ts → activities/index.ts: src/sync must not import activities',
      "src/sync/probe.ts → @baton/crm-sandbox: only src/dev and the CLI's sandbox command use the sandbox",
      'src/crm/probe.ts → src/store/index.ts: src/crm must not use code of src/store',
      'packages/crm-sandbox/src/probe.ts → src/config/env.ts: the sandbox package imports nothing from Baton',
    ]);
  });
});
