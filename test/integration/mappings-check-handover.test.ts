import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MappingError } from '../../src/config/mapping-file';
import { checkMappingsFolder } from '../../src/config/mapping-live';
import { createBatonWorker } from '../../src/worker';

/** `baton mappings check` and worker start-up cover mappings/handover.yaml too. */
describe('handover.yaml in the mappings folder', () => {
  const root = path.join(__dirname, '..', '..');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-handover-check-'));
  const badFixture = fs.readdirSync(path.join(root, 'test', 'fixtures', 'handover', 'bad')).sort()[0] as string;
  beforeAll(() => {
    fs.copyFileSync(path.join(root, 'mappings', 'contact.yaml'), path.join(tmp, 'contact.yaml'));
    fs.copyFileSync(
      path.join(root, 'test', 'fixtures', 'handover', 'bad', badFixture),
      path.join(tmp, 'handover.yaml'),
    );
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the shipped folder checks clean', async () => {
    const report = await checkMappingsFolder(path.join(root, 'mappings'));
    expect(report.files).toEqual(expect.arrayContaining(['contact.yaml', 'handover.yaml']));
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('reports a bad handover.yaml with file and line', async () => {
    const report = await checkMappingsFolder(tmp);
    const errors = report.problems.filter((p) => p.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((p) => p.file.endsWith('handover.yaml') && p.line >= 1)).toBe(true);
  });

  it('keeps the worker from starting on it', async () => {
    // The policy is checked before anything connects, so no Temporal server is needed here.
    const deps = { mappingsDir: tmp } as Parameters<typeof createBatonWorker>[0];
    await expect(createBatonWorker(deps)).rejects.toThrow(MappingError);
  });
});
