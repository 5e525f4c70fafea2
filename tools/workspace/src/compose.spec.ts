import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DCLinter } from 'dclint';
import { parse } from 'yaml';
import { APPS, ROOT, envExampleVariables, read } from './files';

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  env_file?: unknown;
  volumes?: string[];
}

// There is no Docker engine (nor a Compose v2 binary) on the CI machine, so the compose file is checked as data
// and against the compose-spec JSON schema, which dclint ships (schemas/compose.schema.json) and validates with ajv.
const text = read('docker-compose.yml');
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };

/** The schema's verdict only (dclint's style rules are not the spec): invalid YAML or a schema violation. */
function schemaErrors(file: string): string[] {
  const linter = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] });
  return linter
    .lintFiles([file], false)
    .flatMap((r) => r.messages)
    .filter((m) => ['invalid-yaml', 'invalid-schema', 'unknown-error'].includes(m.rule))
    .map((m) => m.message);
}

describe('docker-compose.yml', () => {
  it('runs postgres:16, redis:7 and a one-shot migration, all with health gates', () => {
    expect(compose.services.postgres!.image).toBe('postgres:16');
    expect(compose.services.redis!.image).toBe('redis:7');
    expect(compose.services.postgres!.healthcheck).toBeDefined();
    expect(compose.services.redis!.healthcheck).toBeDefined();
    expect(compose.services.migrate!.command).toEqual(['node', '--import', 'tsx', 'libs/db/src/migrate.cli.ts']);
    expect(compose.services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it.each(APPS)(
    'has a service for $name on its port, built from the shared Dockerfile, gated on healthy dependencies',
    ({ name, port }) => {
      const service = compose.services[name]!;
      expect(service).toBeDefined();
      expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      // The generated secrets load with --env-file, which never overrides a variable from .env or the environment.
      expect(service.command).toEqual(['node', '--env-file=/secrets/recoup.env', '--enable-source-maps', `dist/apps/${name}/main.js`]);
      expect(service.volumes).toContain('secrets:/secrets:ro');
      expect(service.ports).toEqual([expect.stringMatching(new RegExp(`:${port}$`))]);
      expect(service.environment!.PORT).toBe(String(port));
      expect(service.healthcheck!.test.join(' ')).toContain('/health');
      expect(service.depends_on).toEqual({
        secrets: { condition: 'service_completed_successfully' },
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    },
  );

  it('validates against the compose-spec JSON schema, which would catch a malformed service', () => {
    expect(schemaErrors(path.join(ROOT, 'docker-compose.yml'))).toEqual([]);
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-'));
    try {
      const broken = path.join(dir, 'docker-compose.yml');
      writeFileSync(broken, text.replace("ports: ['${DASHBOARD_PORT:-3000}:3000']", 'ports: { web: 3000 }'));
      expect(schemaErrors(broken)).toEqual([expect.stringContaining('/services/console/ports')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the console on :3000 from the same image, proxying to ivr-negotiation and the gateway once they are healthy', () => {
    const service = compose.services.console!;
    expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(service.command).toEqual(['node', '--import', 'tsx', 'apps/ivr-dashboard/server/main.ts']);
    expect(service.ports).toEqual(['${DASHBOARD_PORT:-3000}:3000']);
    expect(service.environment).toMatchObject({
      DASHBOARD_PORT: '3000',
      IVR_NEGOTIATION_URL: 'http://ivr-negotiation:8004',
      COLLECTIONS_API_URL: 'http://collections-api:8000',
    });
    expect(service.depends_on).toEqual({
      'collections-api': { condition: 'service_healthy' },
      'ivr-negotiation': { condition: 'service_healthy' },
    });
    expect(service.healthcheck!.test.join(' ')).toContain('/health');
    // The runtime image has what the command needs: the server's source beside the vite build in dist/.
    const runtime = read('Dockerfile').slice(read('Dockerfile').lastIndexOf('FROM '));
    expect(runtime).toContain('COPY --from=build /app/apps/ivr-dashboard/server ./apps/ivr-dashboard/server');
    expect(runtime).toContain('COPY --from=build /app/apps/ivr-dashboard/src/config.ts ./apps/ivr-dashboard/src/config.ts');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
  });

  it('uses only variables documented in .env.example', () => {
    const documented = envExampleVariables();
    const interpolated = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
    const appEnv = [...APPS.map(({ name }) => name), 'console'].flatMap((name) => Object.keys(compose.services[name]!.environment ?? {}));
    const undocumented = [...new Set([...interpolated, ...appEnv])].filter((v) => !documented.has(v));
    expect(undocumented).toEqual([]);
  });

  it('works with no .env: the one-shot secrets service generates the secrets once, keeps them, and prints the operator key', () => {
    const secrets = compose.services.secrets!;
    expect(secrets.command).toEqual(['node', 'deploy/compose/init-secrets.mjs', '/secrets/recoup.env']);
    expect(secrets.volumes).toEqual(['secrets:/secrets']);
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-secrets-'));
    const file = path.join(dir, 'recoup.env');
    const init = (env: Record<string, string> = {}) =>
      execFileSync(process.execPath, [path.join(ROOT, 'deploy/compose/init-secrets.mjs'), file], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH!, ...env },
      });
    try {
      const first = init();
      const values = Object.fromEntries([...readFileSync(file, 'utf8').matchAll(/^([A-Z_0-9]+)=(.+)$/gm)].map((m) => [m[1], m[2]]));
      for (const name of [
        'ADMIN_API_KEY',
        'INTERNAL_API_TOKEN',
        'TWILIO_AUTH_TOKEN',
        'STRIPE_WEBHOOK_SECRET',
        'RECORDING_ENCRYPTION_KEY',
      ]) {
        expect(values[name]!.length).toBeGreaterThanOrEqual(24);
      }
      expect(Buffer.from(values.RECORDING_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(first).toContain(`operator key (ADMIN_API_KEY): ${values.ADMIN_API_KEY}`);
      // A second `up` keeps them (tenants' keys and webhook signatures keep working); a key from .env is not replaced.
      expect(init()).toContain(`operator key (ADMIN_API_KEY): ${values.ADMIN_API_KEY}`);
      expect(readFileSync(file, 'utf8')).toBe(
        Object.entries(values)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n') + '\n',
      );
      rmSync(file);
      const own = 'rk_admin_from_dot_env_0123456789abcdef';
      expect(init({ ADMIN_API_KEY: own })).toContain(`operator key (ADMIN_API_KEY): ${own}`);
      expect(readFileSync(file, 'utf8')).not.toContain('ADMIN_API_KEY=');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps trained models on a volume and states the Compose version it needs', () => {
    expect(compose.services.prediction!.volumes).toContain('models:/app/apps/prediction/models');
    expect(text).toMatch(/Docker Compose v2\.24 or later/);
  });

  it('builds reproducibly from the lockfile (npm ci) and the image has a HEALTHCHECK on liveness', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).not.toMatch(/RUN npm install/);
    expect(dockerfile.match(/RUN npm ci/g)).toHaveLength(2);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health\/live/m);
    expect(dockerfile).not.toMatch(/^FROM \S+:(latest|\d+-)/m);
  });

  it('builds images that run as a non-root user', () => {
    const dockerfile = read('Dockerfile');
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtimeStage).toMatch(/^USER node$/m);
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
  });
});
