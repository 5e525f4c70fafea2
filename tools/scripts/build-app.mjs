// Bundles one app into dist/<projectRoot>/main.js. Workspace libraries (@recoup/*, via
// tsconfig paths) are bundled in; npm packages stay external and come from node_modules.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const projectRoot = process.argv[2];
if (!projectRoot?.startsWith('apps/')) {
  process.stderr.write('usage: build-app.mjs apps/<name>\n');
  process.exit(2);
}
const outdir = path.join(ROOT, 'dist', projectRoot);
rmSync(outdir, { recursive: true, force: true });
const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')));
const result = await build({
  entryPoints: [path.join(ROOT, projectRoot, 'src', 'main.ts')],
  outfile: path.join(outdir, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  tsconfig: path.join(ROOT, 'tsconfig.base.json'),
  external: [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)],
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(`built ${path.relative(ROOT, outdir)}/main.js (${(bytes / 1024).toFixed(0)} KiB)\n`);
