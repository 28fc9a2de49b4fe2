import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A mistake at the terminal ends with one plain sentence on stderr and exit code 1: no stack
 * trace, whatever the command (the compiled CLI, as a person runs it).
 */
const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'baton.js');

describe('user mistakes at the command line', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-user-errors-'));
  const env = { ...process.env, BATON_HOME: home, BATON_LOG_LEVEL: 'warn' };
  const baton = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });

  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  test.each([
    [['lead', 'show', 'nobody@example.com', '--dev'], /dev\.json not found: start the stack with `npm start`/],
    [['sync', '--once', '--dev'], /dev\.json not found/],
    [
      ['sandbox', '--simulate', '--tick-ms', 'soon', '--hubspot-port', '0', '--salesforce-port', '0'],
      /--tick-ms must be a whole number/,
    ],
    [['lead', 'reject', '123'], /required option '--reason <text>' not specified/],
  ])('baton %j', (args, message) => {
    const run = baton(...args);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});
