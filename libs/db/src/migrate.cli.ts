// Entry point of `npm run db:migrate` (run with tsx): applies committed migrations to DATABASE_URL.
import { migrateDatabase } from './migrate';

const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/recoup';
migrateDatabase(url)
  .then((r) => {
    const applied = /(\d+) migrations? found/.exec(r.stdout)?.[0] ?? '';
    process.stdout.write(`db:migrate: ${new URL(url).pathname.slice(1)} is up to date ${applied ? `(${applied})` : ''}\n`);
  })
  .catch((err: Error) => {
    process.stderr.write(`db:migrate: ${err.message}\n`);
    process.exit(1);
  });
