// `npm test`: the same setup as `npm start`, then type checks, lint and every project's tests.
// Extra arguments go to nx (e.g. `npm test -- --projects=http`).
import { log, run, setup } from './lib.mjs';

// strict: a clean clone's `npm install` must leave package-lock.json as committed (reproducible builds, clean tree).
await setup({ strict: true });
process.env.NX_DAEMON = 'false';
process.env.NX_NO_CLOUD = 'true';
process.env.NX_TUI = 'false';
const extra = process.argv.slice(2);
const targets = extra.some((a) => a.startsWith('-t') || a.startsWith('--targets')) ? [] : ['-t', 'typecheck,lint,test'];
log(`nx run-many ${[...targets, ...extra].join(' ')}`);
run('npx', ['nx', 'run-many', ...targets, '--parallel=2', '--outputStyle=static', ...extra]);
