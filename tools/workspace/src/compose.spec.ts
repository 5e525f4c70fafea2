import { parse } from 'yaml';
import { APPS, envExampleVariables, read } from './files';

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

// There is no Docker engine on the CI machine, so the compose file is checked as data.
const text = read('docker-compose.yml');
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };

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

  it('uses only variables documented in .env.example', () => {
    const documented = envExampleVariables();
    const interpolated = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
    const appEnv = APPS.flatMap(({ name }) => Object.keys(compose.services[name]!.environment ?? {}));
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
