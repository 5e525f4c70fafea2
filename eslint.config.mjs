import nx from '@nx/eslint-plugin';

// Vendor SDKs live only in libs/providers; Prisma only in libs/db; BullMQ only in libs/queue and apps.
const vendorSdks = ['twilio', 'openai', '@anthropic-ai/sdk', 'stripe', '@sendgrid/mail'];
const prisma = ['@prisma/*', 'prisma'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/generated', '**/.nx', 'coverage'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], allowedExternalImports: ['zod'] },
            {
              sourceTag: 'type:platform',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform'],
              bannedExternalImports: [...vendorSdks, ...prisma, 'bullmq'],
            },
            {
              sourceTag: 'type:data',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform'],
              bannedExternalImports: [...vendorSdks],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:domain'],
              bannedExternalImports: [...vendorSdks],
            },
            {
              sourceTag: 'type:provider',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform'],
              bannedExternalImports: [...prisma, 'bullmq'],
            },
            {
              sourceTag: 'type:runtime',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data'],
              bannedExternalImports: [...vendorSdks, ...prisma],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:domain', 'type:provider'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:domain', 'type:provider', 'type:runtime', 'type:testing'],
              bannedExternalImports: [...vendorSdks, ...prisma],
            },
            { sourceTag: 'platform:browser', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:data', 'type:testing'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
