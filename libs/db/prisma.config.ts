// Prisma CLI configuration: see "Prisma offline" in the README's development section.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg-cli';

function poolConfig(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: u.pathname.replace(/^\//, '') || 'postgres',
    // Let the CLI exit as soon as it is done instead of waiting out the pool's 10 s idle timeout.
    allowExitOnIdle: true,
  };
}

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/recoup';
const schemaName = new URL(databaseUrl).searchParams.get('schema') ?? undefined;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(__dirname, 'prisma', 'schema.prisma'),
  migrations: { path: path.join(__dirname, 'prisma', 'migrations') },
  adapter: async () => new PrismaPg(poolConfig(databaseUrl), { schema: schemaName }),
});
