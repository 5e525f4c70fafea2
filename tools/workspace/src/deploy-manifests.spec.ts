import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ROOT, read } from './files';
import { RenderBlueprint, blueprintReferenceErrors } from './deploy/render-blueprint.schema';

// The Kubernetes manifests are rendered with kubectl's built-in kustomize and checked by a Node script (the
// kubernetes-models packages are ES modules with the API schemas): every object against its schema, then our rules.
const VALIDATOR = path.join(ROOT, 'tools/workspace/src/deploy/validate-manifests.mjs');
const validate = (...args: string[]) => spawnSync(process.execPath, [VALIDATOR, ...args], { cwd: ROOT, encoding: 'utf8' });
const kustomize = (overlay: string) => {
  const r = spawnSync('kubectl', ['kustomize', path.join(ROOT, overlay)], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(`kubectl kustomize ${overlay} failed (kubectl is needed: apt-get install kubectl): ${r.error ?? r.stderr}`);
  return r.stdout;
};

// Rendered manifests are free-form YAML here: their shape is what the validator (kubernetes-models) checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { kind: string; metadata: { name: string }; spec: any };

describe('deploy/kubernetes', () => {
  it('every overlay renders and every object is valid against the Kubernetes schemas and our rules', () => {
    const r = validate();
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/overlays\/production: \d+ objects .* valid/);
    expect(r.stdout).toMatch(/overlays\/gitops: \d+ objects .* valid/);
    expect(r.status).toBe(0);
  });

  describe('catches what it is there to catch', () => {
    const deployment = (objects: Obj[], name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
    const container = (objects: Obj[], name: string) => deployment(objects, name).spec.template.spec.containers[0];
    const cases: [string, (o: Obj[]) => unknown, RegExp][] = [
      ['a schema violation', (o) => (container(o, 'notifier').ports[0].containerPort = 'http'), /containerPort must be integer/],
      ['a missing probe', (o) => delete container(o, 'prediction').readinessProbe, /prediction has no readinessProbe/],
      ['the latest tag', (o) => (container(o, 'console').image = 'recoup/app:latest'), /uses the latest tag/],
      ['an untagged image', (o) => (container(o, 'console').image = 'recoup/app'), /has no tag/],
      ['root', (o) => (deployment(o, 'notifier').spec.template.spec.securityContext.runAsNonRoot = false), /runAsNonRoot must be true/],
      ['no memory limit', (o) => delete container(o, 'collections-api').resources.limits, /limits needs memory/],
      [
        'a grace period shorter than a call',
        (o) => (deployment(o, 'voice-agent').spec.template.spec.terminationGracePeriodSeconds = 60),
        /voice-agent: preStop 5s \+ SHUTDOWN_TIMEOUT_MS 150000ms is not below terminationGracePeriodSeconds 60/,
      ],
      [
        'no disruption budget',
        (o) =>
          o.splice(
            o.findIndex((x) => x.kind === 'PodDisruptionBudget'),
            1,
          ),
        /no PodDisruptionBudget/,
      ],
      [
        'an ingress path to a missing service',
        (o) => (o.find((x) => x.kind === 'Ingress')!.spec.rules[0].http.paths[0].backend.service.name = 'voice'),
        /routes to missing Service voice/,
      ],
    ];
    let dir: string;
    let report: Map<string, string>;
    let status: number | null;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'recoup-k8s-'));
      const rendered = kustomize('deploy/kubernetes/overlays/production');
      const files = cases.map(([, mutate], i) => {
        const objects = parseAllDocuments(rendered).map((d) => d.toJS() as Obj);
        mutate(objects);
        const file = path.join(dir, `case-${i}.yaml`);
        writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
        return file;
      });
      // One run over every broken variant (each is its own set in the report).
      const r = validate(...files.flatMap((f) => ['--file', f]));
      status = r.status;
      report = new Map(
        files.map((f, i) => [f, r.stdout.split(/\n(?=\S)/).find((block) => block.startsWith(f)) ?? `no report for case ${i}`]),
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(cases.map(([label, , message], i) => [label, i, message] as const))('%s', (_label, i, message) => {
      const block = report.get(path.join(dir, `case-${i}.yaml`))!;
      expect(block).toMatch(/INVALID/);
      expect(block).toMatch(message);
      expect(status).toBe(1);
    });
  });

  it('the voice-agent outlives its longest call: drain longer than CALL_MAX_SECONDS, grace longer than the drain', () => {
    const objects = parseAllDocuments(kustomize('deploy/kubernetes/overlays/production')).map((d) => d.toJS() as Obj);
    const voice = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'voice-agent')!;
    const env = Object.fromEntries(
      voice.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(Number(env.SHUTDOWN_TIMEOUT_MS) / 1000).toBeGreaterThan(Number(env.CALL_MAX_SECONDS));
    expect(voice.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(env.SHUTDOWN_TIMEOUT_MS) / 1000 + 5);
    // Probes hit the drain-aware readiness path the services serve (libs/http: fails first on SIGTERM).
    expect(voice.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/health/ready');
  });
});

describe('the Ingress exposes what vendors and browsers must reach, and nothing internal', () => {
  const objects = parseAllDocuments(kustomize('deploy/kubernetes/overlays/production')).map((d) => d.toJS() as Obj);
  const routed = (service: string, requestPath: string) =>
    objects
      .filter((o) => o.kind === 'Ingress')
      .flatMap((i) =>
        i.spec.rules.flatMap((r: { http: { paths: Array<{ path: string; backend: { service: { name: string } } }> } }) => r.http.paths),
      )
      .some(
        (p) =>
          p.backend.service.name === service &&
          (requestPath === p.path || requestPath.startsWith(p.path.endsWith('/') ? p.path : `${p.path}/`) || p.path === '/'),
      );
  // The services' own OpenAPI documents (libs/client/openapi, checked current by their contract tests) list the routes.
  const paths = (service: string) => Object.keys((JSON.parse(read(`libs/client/openapi/${service}.json`)) as { paths: object }).paths);
  const internal = (p: string) =>
    /^\/(api\/calls|api\/sandbox|health|metrics|openapi\.json|docs|admin|internal|initiate-call|estimate-cost|call-status)/.test(p);

  it.each([
    ['voice-agent', (p: string) => p.startsWith('/api/webhooks/')],
    ['ivr-negotiation', (p: string) => !internal(p)],
    ['notifier', (p: string) => p.startsWith('/webhooks/')],
  ])('every webhook route of %s is routed (Twilio, SendGrid, Stannp reach them), its internal routes are not', (service, isPublic) => {
    const all = paths(service);
    expect(all.filter(isPublic).filter((p) => !routed(service, p))).toEqual([]);
    expect(all.filter(internal).filter((p) => routed(service, p))).toEqual([]);
    if (service === 'voice-agent') expect(routed(service, '/media-stream')).toBe(true);
  });
});

describe('render.yaml', () => {
  const blueprint = RenderBlueprint.parse(parse(read('render.yaml')));

  it('parses against the Blueprint shape, and every group, database and service it names exists', () => {
    expect(blueprintReferenceErrors(blueprint)).toEqual([]);
  });

  it('has the web services, the notifier as a worker, managed PostgreSQL and Redis with noeviction (BullMQ)', () => {
    const byName = new Map(blueprint.services.map((s) => [s.name, s]));
    expect(byName.get('recoup-notifier')?.type).toBe('worker');
    for (const web of ['recoup-api', 'recoup-voice', 'recoup-ivr', 'recoup-console']) expect(byName.get(web)?.type).toBe('web');
    const redis = blueprint.services.find((s) => s.type === 'keyvalue');
    expect(redis && 'maxmemoryPolicy' in redis && redis.maxmemoryPolicy).toBe('noeviction');
    expect(blueprint.databases.map((d) => d.name)).toEqual(['recoup-db']);
    // Migrations run before a deploy goes live.
    const api = byName.get('recoup-api');
    expect(api && 'preDeployCommand' in api && api.preDeployCommand).toMatch(/migrate\.cli\.ts/);
  });

  it('refuses what Render would refuse', () => {
    const bad = structuredClone(parse(read('render.yaml')));
    bad.services[0].envVars.push({ key: 'DATABASE_URL', fromDatabase: { name: 'nope', property: 'connectionString' } });
    expect(blueprintReferenceErrors(RenderBlueprint.parse(bad))).toEqual(
      expect.arrayContaining(['recoup-api: database nope is not defined']),
    );
    bad.services[0].healthcheckPath = '/health';
    expect(RenderBlueprint.safeParse(bad).success).toBe(false);
  });
});
