// The shape of a Render Blueprint (render.yaml), from Render's Blueprint YAML reference
// (https://render.com/docs/blueprint-spec): the fields this repository uses, strictly (an unknown key is an error,
// as Render's own validation reports it), and the cross-references Render resolves at sync time.
import { z } from 'zod';

const Region = z.enum(['oregon', 'ohio', 'virginia', 'frankfurt', 'singapore']);

const EnvVar = z.union([
  z.object({ key: z.string().regex(/^[A-Z_][A-Z0-9_]*$/), value: z.string() }).strict(),
  z.object({ key: z.string(), generateValue: z.literal(true) }).strict(),
  z.object({ key: z.string(), sync: z.literal(false) }).strict(),
  z
    .object({
      key: z.string(),
      fromDatabase: z
        .object({ name: z.string(), property: z.enum(['connectionString', 'host', 'port', 'user', 'password', 'database']) })
        .strict(),
    })
    .strict(),
  z
    .object({
      key: z.string(),
      fromService: z
        .object({
          type: z.enum(['web', 'pserv', 'worker', 'cron', 'keyvalue', 'redis']),
          name: z.string(),
          property: z.enum(['host', 'port', 'hostport', 'connectionString']).optional(),
          envVarKey: z.string().optional(),
        })
        .strict()
        .refine((s) => Boolean(s.property) !== Boolean(s.envVarKey), 'fromService takes property or envVarKey'),
    })
    .strict(),
  z.object({ fromGroup: z.string() }).strict(),
]);

const Scaling = z
  .object({
    minInstances: z.number().int().min(1),
    maxInstances: z.number().int().min(1),
    targetCPUPercent: z.number().int().min(1).max(90).optional(),
    targetMemoryPercent: z.number().int().min(1).max(90).optional(),
  })
  .strict();

const DockerService = z
  .object({
    type: z.enum(['web', 'pserv', 'worker']),
    name: z.string().regex(/^[a-z0-9-]+$/),
    runtime: z.literal('docker'),
    dockerfilePath: z.string(),
    dockerContext: z.string().optional(),
    dockerCommand: z.string().optional(),
    preDeployCommand: z.string().optional(),
    healthCheckPath: z.string().startsWith('/').optional(),
    plan: z.enum(['free', 'starter', 'standard', 'pro', 'pro plus', 'pro max', 'pro ultra']),
    region: Region,
    numInstances: z.number().int().min(1).optional(),
    scaling: Scaling.optional(),
    maxShutdownDelaySeconds: z.number().int().min(1).max(300).optional(),
    autoDeploy: z.boolean().optional(),
    domains: z.array(z.string()).optional(),
    envVars: z.array(EnvVar).default([]),
  })
  .strict()
  .refine((s) => !(s.numInstances && s.scaling), 'numInstances and scaling are exclusive')
  .refine((s) => s.type === 'web' || !s.healthCheckPath, 'only web services have a health check path');

const KeyValue = z
  .object({
    type: z.literal('keyvalue'),
    name: z.string(),
    plan: z.enum(['free', 'starter', 'standard', 'pro', 'pro plus']),
    region: Region,
    maxmemoryPolicy: z.enum([
      'noeviction',
      'allkeys-lru',
      'volatile-lru',
      'allkeys-random',
      'volatile-random',
      'volatile-ttl',
      'allkeys-lfu',
      'volatile-lfu',
    ]),
    ipAllowList: z.array(z.object({ source: z.string(), description: z.string().optional() }).strict()),
  })
  .strict();

export const RenderBlueprint = z
  .object({
    services: z.array(z.union([DockerService, KeyValue])),
    databases: z
      .array(
        z
          .object({
            name: z.string(),
            databaseName: z.string(),
            user: z.string(),
            plan: z.string(),
            region: Region,
            postgresMajorVersion: z.string().regex(/^\d+$/),
            ipAllowList: z.array(z.object({ source: z.string(), description: z.string().optional() }).strict()),
          })
          .strict(),
      )
      .default([]),
    envVarGroups: z.array(z.object({ name: z.string(), envVars: z.array(EnvVar) }).strict()).default([]),
  })
  .strict();
export type RenderBlueprint = z.infer<typeof RenderBlueprint>;

/** References Render resolves at sync time: every group, database and service named must exist in the file. */
export function blueprintReferenceErrors(bp: RenderBlueprint): string[] {
  const errors: string[] = [];
  const groups = new Set(bp.envVarGroups.map((g) => g.name));
  const dbs = new Set(bp.databases.map((d) => d.name));
  const services = new Map(bp.services.map((s) => [s.name, s.type]));
  for (const s of bp.services) {
    if (s.type === 'keyvalue') continue;
    const keys = new Set<string>();
    for (const env of s.envVars) {
      if ('fromGroup' in env) {
        if (!groups.has(env.fromGroup)) errors.push(`${s.name}: env group ${env.fromGroup} is not defined`);
        continue;
      }
      if (keys.has(env.key)) errors.push(`${s.name}: ${env.key} is set twice`);
      keys.add(env.key);
      if ('fromDatabase' in env && !dbs.has(env.fromDatabase.name))
        errors.push(`${s.name}: database ${env.fromDatabase.name} is not defined`);
      if ('fromService' in env && services.get(env.fromService.name) !== env.fromService.type) {
        errors.push(`${s.name}: ${env.fromService.type} ${env.fromService.name} is not defined`);
      }
    }
  }
  return errors;
}
