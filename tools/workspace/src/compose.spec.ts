import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
      expect(service.command).toEqual(['node', '--enable-source-maps', `dist/apps/${name}/main.js`]);
      expect(service.ports).toEqual([expect.stringMatching(new RegExp(`:${port}$`))]);
      expect(service.environment!.PORT).toBe(String(port));
      expect(service.healthcheck!.test.join(' ')).toContain('/health');
      expect(service.depends_on).toEqual({
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

  it('builds images that run as a non-root user', () => {
    const dockerfile = read('Dockerfile');
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtimeStage).toMatch(/^USER node$/m);
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
  });
});
