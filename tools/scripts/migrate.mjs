import { ensurePrismaClient, loadDotEnv, migrate } from './lib.mjs';

loadDotEnv();
ensurePrismaClient();
migrate();
