import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './files';

/** Lints `code` as if it were the file at `filePath` (nothing is written), with the workspace's own ESLint config. */
function lint(code: string, filePath: string): { exitCode: number; output: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', filePath], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  return { exitCode: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

const MESSAGE = /belong to libs\/collections/;

/** The architecture rule (STYLE: the domain core): nothing but libs/collections writes invoices, payments or contact attempts. */
describe('lint: writes to the collections core tables', () => {
  it('fail in an app: a Prisma write, raw UPDATE SQL and raw INSERT SQL', () => {
    const code = [
      'export async function markPaid(db: any, id: string) {',
      "  await db.invoice.update({ where: { id }, data: { status: 'paid' } });",
      "  await db.$executeRaw`UPDATE contact_attempts SET status = 'sent' WHERE id = ${id}`;",
      "  await db.$executeRawUnsafe('INSERT INTO payments (id) VALUES ($1)', id);",
      '}',
      '',
    ].join('\n');
    const r = lint(code, 'apps/notifier/src/webhooks/mark-paid.ts');
    expect(r.exitCode).toBe(1);
    expect(r.output.match(new RegExp(MESSAGE, 'g'))).toHaveLength(3);
  });

  it('fail in a worker processor', () => {
    const r = lint(
      'export const f = (tx: any) => tx.contactAttempt.updateMany({ where: {}, data: {} });\n',
      'apps/voice-agent/src/worker/x.processor.ts',
    );
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(MESSAGE);
  });

  it('pass inside libs/collections and for reads anywhere', () => {
    expect(
      lint("export const f = (db: any) => db.invoice.update({ where: { id: 'x' }, data: {} });\n", 'libs/collections/src/x.ts').exitCode,
    ).toBe(0);
    expect(lint("export const f = (db: any) => db.invoice.findMany({ where: { id: 'x' } });\n", 'apps/notifier/src/x.ts').exitCode).toBe(0);
  });
});
