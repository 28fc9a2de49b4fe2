import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The workflow-sandbox lint rules catch what would break determinism or bundle I/O code
 * into a workflow. The fixtures are ignored by `npm run lint` and linted here on purpose.
 */
describe('lint rules for workflows/', () => {
  const root = path.join(__dirname, '..', '..');
  let rulesByFile: Map<string, (string | null)[]>;

  beforeAll(() => {
    // ESLint's flat config loads through dynamic import, which jest's VM does not allow: run the CLI.
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '--no-ignore',
        '--format',
        'json',
        'test/fixtures/lint/workflows',
      ],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    const results = JSON.parse(r.stdout) as {
      filePath: string;
      messages: { ruleId: string | null; message: string }[];
    }[];
    rulesByFile = new Map(results.map((res) => [path.basename(res.filePath), res.messages.map((m) => m.ruleId)]));
  }, 120_000);

  it.each(['node-builtin.ts', 'bare-builtin.ts', 'activity-value-import.ts', 'io-import.ts'])(
    'rejects the imports in %s',
    (file) => {
      expect(rulesByFile.get(file)).toEqual(['@typescript-eslint/no-restricted-imports']);
    },
  );

  it('accepts a type-only import of activities', () => {
    expect(rulesByFile.get('activity-type-import.ts')).toEqual([]);
  });

  it('rejects floating promises', () => {
    expect(rulesByFile.get('floating-promise.ts')).toEqual(['@typescript-eslint/no-floating-promises']);
  });
});
