import nx from '@nx/eslint-plugin';

// Vendor SDKs live only in libs/providers; Prisma only in libs/db; BullMQ only in libs/queue and apps.
const vendorSdks = [
  'twilio',
  'openai',
  '@anthropic-ai/sdk',
  'stripe',
  '@sendgrid/mail',
  'xero-node',
  'node-quickbooks',
  'intuit-oauth',
  'openid-client',
];
const prisma = ['@prisma/*', 'prisma'];

/** Tests of any library may use libs/testing (its helpers and shared contract suites); code may not. */
const depConstraints = (inTests) => {
  const testing = inTests ? ['type:testing'] : [];
  return [
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], allowedExternalImports: ['zod'] },
    // The typed HTTP client generated from the services' OpenAPI documents (libs/client): browser-safe.
    { sourceTag: 'type:client', onlyDependOnLibsWithTags: [], allowedExternalImports: ['openapi-fetch'] },
    {
      sourceTag: 'type:platform',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', ...testing],
      bannedExternalImports: [...vendorSdks, ...prisma, 'bullmq'],
    },
    {
      sourceTag: 'type:data',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', ...testing],
      bannedExternalImports: [...vendorSdks],
    },
    {
      sourceTag: 'type:domain',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:domain', ...testing],
      bannedExternalImports: [...vendorSdks],
    },
    {
      sourceTag: 'type:provider',
      // type:data: sandbox adapters record what they "sent" in the database (STYLE: Providers);
      // type:provider: SMS and telephony share one Twilio client and signature check (libs/providers/twilio).
      onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:provider', ...testing],
      bannedExternalImports: [...prisma, 'bullmq'],
    },
    {
      sourceTag: 'type:runtime',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', ...testing],
      bannedExternalImports: [...vendorSdks, ...prisma],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:domain', 'type:provider'],
    },
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: [
        'type:contracts',
        'type:platform',
        'type:data',
        'type:domain',
        'type:provider',
        'type:runtime',
        'type:testing',
        'type:client',
      ],
      bannedExternalImports: [...vendorSdks, ...prisma],
    },
    { sourceTag: 'platform:browser', onlyDependOnLibsWithTags: ['type:contracts', 'type:client'] },
    {
      sourceTag: 'type:tools',
      onlyDependOnLibsWithTags: [
        'type:contracts',
        'type:platform',
        'type:data',
        'type:domain',
        'type:provider',
        'type:testing',
        'type:tools',
        'type:client',
      ],
    },
  ];
};

/**
 * One owner per rule (STYLE: the domain core): invoices, payments, contact attempts, plans, disputes and the invoice
 * timeline are written only by libs/collections' use cases. Routes, tools, processors and webhooks call them.
 */
const CORE_MODELS = 'invoice|payment|contactAttempt|paymentPlan|paymentPlanInstallment|dispute|invoiceEvent';
const CORE_TABLES = 'invoices|payments|contact_attempts|payment_plans|payment_plan_installments|disputes|invoice_events';
const WRITE_METHODS = 'create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany';
const CORE_WRITE_MESSAGE =
  'Writes to invoices, payments, contact attempts, plans and disputes belong to libs/collections: call its use case.';
export const coreWriteRestrictions = [
  {
    selector: `CallExpression[callee.property.name=/^(${WRITE_METHODS})$/][callee.object.property.name=/^(${CORE_MODELS})$/]`,
    message: CORE_WRITE_MESSAGE,
  },
  {
    selector: `TemplateElement[value.raw=/(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+"?(${CORE_TABLES})\\b/i]`,
    message: CORE_WRITE_MESSAGE,
  },
  {
    selector: `Literal[value=/(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+"?(${CORE_TABLES})\\b/i]`,
    message: CORE_WRITE_MESSAGE,
  },
];

const boundaries = (inTests) => ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints: depConstraints(inTests) }];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/generated', '**/.nx', 'coverage', '**/jest.config.cjs', 'jest.preset.cjs'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'libs/**/*.ts', 'tools/**/*.ts'],
    ignores: [
      'libs/collections/**',
      'libs/db/**',
      'libs/testing/**',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.contract.ts',
      '**/bench/**',
      'apps/*/test/**',
      'apps/*/src/testing/**',
      'tools/e2e/**',
      'tools/resilience/**',
    ],
    rules: { 'no-restricted-syntax': ['error', ...coreWriteRestrictions] },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.contract.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(true),
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
