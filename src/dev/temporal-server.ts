import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from './search-attributes';

export interface DevServerOptions {
  cliPath: string;
  host: string;
  port: number;
  uiPort: number;
  dbFile: string;
  logFile: string;
  namespace: string;
  /** How long to wait for the frontend to answer. */
  startTimeoutMs?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Runs `temporal server start-dev` as a child process with state in a SQLite file, and
 * waits until its frontend answers.
 */
export async function startTemporalDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const log = fs.openSync(opts.logFile, 'a');
  const args = [
    'server',
    'start-dev',
    '--ip',
    opts.host,
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--db-filename',
    opts.dbFile,
    // SQLite's defaults (rollback journal, a sync on every commit) cost several fsyncs per
    // history write and queue every workflow task behind the disk. WAL with NORMAL sync
    // survives a crash of the server; only an OS crash or power cut can lose the last commits.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...searchAttributeFlags(),
  ];
  const child: ChildProcess = spawn(opts.cliPath, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  // A safety net: never leave the server behind if this process exits some other way.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const address = `${opts.host}:${opts.port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      const tail = fs.readFileSync(opts.logFile, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(
        `The Temporal dev server exited during start-up (code ${exited.code ?? exited.signal}). Its log (${opts.logFile}) ends with:\n${tail}`,
      );
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `The Temporal dev server did not answer on ${address} within ${(opts.startTimeoutMs ?? 60_000) / 1000} s: ${(err as Error).message}. See ${opts.logFile}.`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  return {
    address,
    uiUrl: `http://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${opts.uiPort}`,
    pid: child.pid ?? -1,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}
