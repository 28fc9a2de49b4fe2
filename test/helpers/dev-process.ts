import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DevInfo } from '../../src/dev/dev-stack';
import { freePort } from '../../src/dev/ports';
import { processesMentioning, waitFor } from './processes';

/**
 * `baton dev` as a user runs it: the compiled CLI in a child process (`npm test` builds
 * it first), on ports of its own and a BATON_HOME of its own.
 */
const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'baton.js');

export interface DevRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The ports `baton dev` opens, by the setting that names each. */
export const DEV_PORT_SETTINGS = [
  'BATON_DEV_TEMPORAL_PORT',
  'BATON_DEV_TEMPORAL_UI_PORT',
  'BATON_DEV_HUBSPOT_PORT',
  'BATON_DEV_SALESFORCE_PORT',
  'BATON_SERVER_PORT',
] as const;

/** An environment for `baton dev` in `home`, every port free at the time of asking. */
export async function devEnv(home: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { BATON_HOME: home, BATON_SYNC_INTERVAL_SECONDS: '1', BATON_LOG_LEVEL: 'warn' };
  for (const setting of DEV_PORT_SETTINGS) env[setting] = String(await freePort());
  return { ...env, ...extra };
}

/** Runs a one-shot `baton` command and returns its standard output (throws on a non-zero exit). */
export function baton(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function startDev(env: NodeJS.ProcessEnv): DevRun {
  const child = spawn(process.execPath, [CLI, 'dev'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Waits for `dev.json`, which `baton dev` writes once every piece is up. */
export async function readDevInfo(run: DevRun, home: string, timeoutMs = 120_000): Promise<DevInfo> {
  const file = path.join(home, 'dev.json');
  return waitFor(
    'dev.json',
    async () => {
      if (run.child.exitCode !== null) throw new Error(`baton dev exited early:\n${run.output()}`);
      return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DevInfo) : undefined;
    },
    timeoutMs,
  );
}

/** SIGINT, as Ctrl-C sends it: `baton dev` must exit 0 within ten seconds. Returns how long it took. */
export async function stopWithSigint(run: DevRun): Promise<number> {
  const started = Date.now();
  run.child.kill('SIGINT');
  const code = await run.exited;
  const took = Date.now() - started;
  expect({ code, withinTenSeconds: took < 10_000 }).toEqual({ code: 0, withinTenSeconds: true });
  return took;
}

/** After a test: nothing of `home`'s stack may be left running, and the folder goes. */
export function cleanUpDev(run: DevRun | undefined, home: string): void {
  if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
  for (const line of processesMentioning(home)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  fs.rmSync(home, { recursive: true, force: true });
}
