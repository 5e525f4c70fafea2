import { ROOT, read } from './files';
import path from 'node:path';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version: string }> };

describe('packaging', () => {
  it('pins one Node version for developers (.nvmrc), the image and the engines range', () => {
    const nvmrc = read('.nvmrc').trim();
    expect(nvmrc).toMatch(/^\d+\.\d+\.\d+$/);
    expect(read('Dockerfile')).toContain(`FROM node:${nvmrc}-bookworm-slim`);
    const [major, minor] = pkg.engines.node.replace('>=', '').split('.').map(Number);
    const [nMajor, nMinor] = nvmrc.split('.').map(Number);
    expect(nMajor! > major! || (nMajor === major && nMinor! >= minor!)).toBe(true);
  });

  it('pins every dependency exactly', () => {
    const ranges = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(([, v]) => /^[\^~><*]/.test(v));
    expect(ranges).toEqual([]);
  });

  it('keeps build-time packages out of the runtime image (npm ci --omit=dev)', () => {
    // The console is a vite bundle (react is compiled in); yaml and the manifest models are for tools and tests.
    for (const devOnly of ['react', 'react-dom', 'yaml', 'vite', 'kubernetes-models', '@stoplight/spectral-cli', 'openapi-typescript']) {
      expect(pkg.dependencies[devOnly]).toBeUndefined();
    }
  });

  it('installs one copy of the queue board (api and express adapter at the same version)', () => {
    const copies = Object.entries(lock.packages).filter(([p]) => p.endsWith('node_modules/@bull-board/api'));
    expect(copies).toHaveLength(1);
    const express = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@bull-board/express/package.json'), 'utf8')) as {
      version: string;
    };
    expect(pkg.dependencies['@bull-board/api']).toBe(express.version);
  });
});
