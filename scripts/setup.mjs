#!/usr/bin/env node
// Brings a fresh clone to a runnable state: dependencies, compiled CLI, Temporal binaries.
// Run by `npm start` and `npm test` before they do anything else; cheap when nothing is missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`setup: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function mtime(file) {
  try {
    return fs.statSync(path.join(root, file)).mtimeMs;
  } catch {
    return 0;
  }
}

// 1. Dependencies: npm keeps node_modules/.package-lock.json in step with the lock file.
if (
  mtime('node_modules/.package-lock.json') === 0 ||
  mtime('package-lock.json') > mtime('node_modules/.package-lock.json')
) {
  console.log('setup: installing dependencies (npm ci)…');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}

// 2. The compiled CLI and worker (incremental, so a second run takes a moment).
run(npm, ['run', '--silent', 'build']);

// 3. The Temporal CLI and test server, found or installed in the lookup order README.md gives.
run(process.execPath, [path.join(root, 'bin', 'baton.js'), 'tools', 'install']);
