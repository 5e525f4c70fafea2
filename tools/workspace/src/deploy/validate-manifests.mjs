// Renders every Kubernetes overlay (kubectl's built-in kustomize) and checks each object against the Kubernetes API
// schemas (kubernetes-models, plus the KEDA and External Secrets models for their custom resources) and against our own
// rules: probes, resources, a non-root and read-only securityContext, pinned images, a grace period longer than the
// service's drain, and every Deployment with its Service, disruption budget and autoscaler.
// Usage: node validate-manifests.mjs [overlay-dir ...]   (default: every deploy/kubernetes/overlays/*)
// Also `--file <rendered.yaml>` (repeatable) to check already rendered streams. Prints one line per object; exits 1 on any error.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const OVERLAYS = path.join(ROOT, 'deploy/kubernetes/overlays');

/** apiVersion → the module holding its models. Custom resources come from their own @kubernetes-models packages. */
function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}`;
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === 'external-secrets.io') return `@kubernetes-models/external-secrets/external-secrets.io/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

async function schemaErrors(obj) {
  let mod;
  try {
    mod = await import(modelModule(obj.apiVersion));
  } catch {
    return [`no schema for ${obj.apiVersion}`];
  }
  const Model = mod[obj.kind];
  if (!Model) return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [String(err.message ?? err)];
  }
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
const podSpecOf = (obj) => obj.spec?.template?.spec;

function imageErrors(image) {
  const ref = image.split('@')[0];
  const tag = ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref.slice(ref.lastIndexOf(':') + 1) : '';
  if (image.includes('@sha256:')) return [];
  if (!tag) return [`image ${image} has no tag`];
  if (tag === 'latest') return [`image ${image} uses the latest tag`];
  return [];
}

function containerErrors(pod, c) {
  const errors = [];
  const name = `container ${c.name}`;
  errors.push(...imageErrors(c.image ?? '').map((e) => `${name}: ${e}`));
  const req = c.resources?.requests ?? {};
  if (!req.cpu || !req.memory) errors.push(`${name}: resources.requests needs cpu and memory`);
  if (!c.resources?.limits?.memory) errors.push(`${name}: resources.limits needs memory`);
  const sc = c.securityContext ?? {};
  const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  const user = sc.runAsUser ?? pod.securityContext?.runAsUser;
  if (nonRoot !== true) errors.push(`${name}: runAsNonRoot must be true`);
  if (user === 0) errors.push(`${name}: runs as uid 0`);
  if (sc.allowPrivilegeEscalation !== false) errors.push(`${name}: allowPrivilegeEscalation must be false`);
  if (sc.readOnlyRootFilesystem !== true) errors.push(`${name}: readOnlyRootFilesystem must be true`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) errors.push(`${name}: capabilities must drop ALL`);
  if (sc.privileged) errors.push(`${name}: privileged`);
  return errors;
}

const envValue = (c, key) => c.env?.find((e) => e.name === key)?.value;

/** Our rules over the whole rendered set (they need to see Services, budgets and autoscalers beside the Deployments). */
export function ruleErrors(objects) {
  const errors = [];
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const named = (kind, name) => byKind(kind).some((o) => o.metadata?.name === name);
  const configMaps = new Set(byKind('ConfigMap').map((o) => o.metadata.name));
  for (const obj of objects.filter((o) => WORKLOADS.has(o.kind))) {
    const id = `${obj.kind}/${obj.metadata.name}`;
    const pod = podSpecOf(obj);
    if (!pod) {
      errors.push(`${id}: no pod template`);
      continue;
    }
    if (pod.automountServiceAccountToken !== false) errors.push(`${id}: automountServiceAccountToken must be false`);
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      errors.push(...containerErrors(pod, c).map((e) => `${id}: ${e}`));
      for (const ref of c.envFrom ?? []) {
        if (ref.configMapRef && !configMaps.has(ref.configMapRef.name))
          errors.push(`${id}: config map ${ref.configMapRef.name} is not rendered`);
      }
    }
    if (obj.kind !== 'Deployment') continue;
    const [main] = pod.containers;
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (!main[probe]) errors.push(`${id}: container ${main.name} has no ${probe}`);
    }
    const selector = obj.spec.selector?.matchLabels ?? {};
    const labels = obj.spec.template.metadata?.labels ?? {};
    if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) errors.push(`${id}: selector does not match the pod labels`);
    // The pod must outlive its own drain: SIGTERM → SHUTDOWN_TIMEOUT_MS of draining → exit, all before SIGKILL.
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    const shutdownMs = Number(envValue(main, 'SHUTDOWN_TIMEOUT_MS') ?? 10_000);
    const preStop = main.lifecycle?.preStop?.sleep?.seconds ?? 0;
    if (preStop + shutdownMs / 1000 >= grace)
      errors.push(`${id}: preStop ${preStop}s + SHUTDOWN_TIMEOUT_MS ${shutdownMs}ms is not below terminationGracePeriodSeconds ${grace}`);
    const callMax = envValue(main, 'CALL_MAX_SECONDS');
    if (callMax && shutdownMs / 1000 <= Number(callMax))
      errors.push(`${id}: SHUTDOWN_TIMEOUT_MS must exceed CALL_MAX_SECONDS (${callMax}s) so live calls finish`);
    const name = obj.metadata.name;
    const serves = byKind('Service').some((s) => Object.entries(s.spec?.selector ?? {}).every(([k, v]) => labels[k] === v));
    if (!serves) errors.push(`${id}: no Service selects its pods`);
    const budget = byKind('PodDisruptionBudget').some((b) =>
      Object.entries(b.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
    );
    if (!budget) errors.push(`${id}: no PodDisruptionBudget`);
    const scaled =
      byKind('HorizontalPodAutoscaler').some((h) => h.spec?.scaleTargetRef?.name === name) ||
      byKind('ScaledObject').some((s) => s.spec?.scaleTargetRef?.name === name);
    if (!scaled) errors.push(`${id}: no HorizontalPodAutoscaler or ScaledObject`);
    if (
      byKind('HorizontalPodAutoscaler').some((h) => h.spec?.scaleTargetRef?.name === name) &&
      byKind('ScaledObject').some((s) => s.spec?.scaleTargetRef?.name === name)
    ) {
      errors.push(`${id}: scaled by both an HPA and a KEDA ScaledObject`);
    }
  }
  for (const ing of byKind('Ingress')) {
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const backend = p.backend?.service;
        const svc = byKind('Service').find((s) => s.metadata.name === backend?.name);
        if (!svc) errors.push(`Ingress/${ing.metadata.name}: ${rule.host}${p.path} routes to missing Service ${backend?.name}`);
        else if (backend.port?.name && !svc.spec.ports.some((port) => port.name === backend.port.name)) {
          errors.push(`Ingress/${ing.metadata.name}: Service ${backend.name} has no port ${backend.port.name}`);
        }
      }
    }
  }
  for (const h of byKind('HorizontalPodAutoscaler')) {
    if (!named(h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name))
      errors.push(`HorizontalPodAutoscaler/${h.metadata.name}: target not rendered`);
  }
  return errors;
}

export function render(overlayDir) {
  return execFileSync('kubectl', ['kustomize', overlayDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function parse(yamlText) {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS())
    .filter(Boolean);
}

export async function check(label, objects) {
  const errors = [];
  for (const obj of objects) {
    for (const e of await schemaErrors(obj)) errors.push(`${label}: ${obj.kind}/${obj.metadata?.name}: ${e}`);
  }
  errors.push(...ruleErrors(objects).map((e) => `${label}: ${e}`));
  return errors;
}

async function main() {
  const args = process.argv.slice(2);
  const sets = [];
  const files = args.flatMap((a, i) => (args[i - 1] === '--file' ? [a] : []));
  for (const file of files) sets.push([file, parse(readFileSync(file, 'utf8'))]);
  if (!files.length) {
    const dirs = args.length ? args : readdirSync(OVERLAYS).map((d) => path.join(OVERLAYS, d));
    for (const dir of dirs) sets.push([path.relative(ROOT, dir), parse(render(dir))]);
  }
  let failed = false;
  for (const [label, objects] of sets) {
    const errors = await check(label, objects);
    const kinds = {};
    for (const o of objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
    console.log(
      `${label}: ${objects.length} objects (${Object.entries(kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}) ${errors.length ? 'INVALID' : 'valid'}`,
    );
    for (const e of errors) console.log(`  ${e}`);
    failed ||= errors.length > 0;
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
