import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@recoup/testing';

/** Debian keeps the server binaries out of PATH; take the newest installed major version. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0] ?? '', 'bin');
}

/**
 * A throw-away PostgreSQL server (initdb into a temp dir, its own port) that a fault test may stop
 * and start without touching the machine's shared server. initdb refuses to run as root, so as
 * root the server runs as the `postgres` user.
 */
export class DisposablePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<DisposablePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'recoup-pg-'));
    const pg = new DisposablePostgres(await freePort(), dir);
    if (process.getuid?.() === 0)
      chownSync(
        dir,
        Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
        Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
      );
    pg.run('initdb', ['-D', pg.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    pg.startServer();
    return pg;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private run(tool: string, args: string[]): void {
    const bin = path.join(binDir(), tool);
    if (process.getuid?.() === 0) {
      const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { stdio: 'pipe' });
    } else {
      execFileSync(bin, args, { stdio: 'pipe' });
    }
  }

  startServer(): void {
    this.run('pg_ctl', [
      '-D',
      this.dataDir,
      '-w',
      '-l',
      path.join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
  }

  /** Fast shutdown: open connections are cut, as when the database host goes away. */
  stopServer(): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-w', '-m', 'fast', 'stop']);
  }

  destroy(): void {
    try {
      this.stopServer();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
