// The compose stack's one-shot `secrets` service: on first run it generates the secrets the services need (operator
// key, internal token, webhook secrets of the sandbox providers, the recording encryption key) into the `secrets`
// volume, once; later runs keep them. It prints the operator key, so `docker compose up` is usable with no `.env`:
// `docker compose logs secrets` shows it again. A value set in `.env` wins: the services load this file with
// `node --env-file`, which never overrides a variable already in the environment.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? '/secrets/recoup.env';
const token = (bytes) => randomBytes(bytes).toString('base64url');
const GENERATORS = {
  ADMIN_API_KEY: () => `rk_admin_${token(24)}`,
  INTERNAL_API_TOKEN: () => token(32),
  PREDICTION_ADMIN_TOKEN: () => token(32),
  TWILIO_AUTH_TOKEN: () => randomBytes(16).toString('hex'),
  STRIPE_WEBHOOK_SECRET: () => `whsec_${token(24)}`,
  RECORDING_ENCRYPTION_KEY: () => randomBytes(32).toString('base64'),
};

const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
const have = new Set([...existing.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
const added = Object.entries(GENERATORS)
  .filter(([name]) => !have.has(name) && !process.env[name])
  .map(([name, make]) => `${name}=${make()}`);
if (added.length) writeFileSync(file, existing + added.join('\n') + '\n', { mode: 0o600 });
const values = Object.fromEntries([...(existing + added.join('\n')).matchAll(/^([A-Z_][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]));
const admin = process.env.ADMIN_API_KEY ?? values.ADMIN_API_KEY;
process.stdout.write(
  `${added.length ? `generated ${added.map((l) => l.split('=')[0]).join(', ')} into ${file}` : `secrets in ${file} kept`}\n` +
    `operator key (ADMIN_API_KEY): ${admin}\n` +
    `create a tenant: curl -X POST http://127.0.0.1:8000/api/admin/tenants -H "Authorization: Bearer ${admin}" -H 'Content-Type: application/json' -d '{"name":"Acme Ltd"}'\n`,
);
