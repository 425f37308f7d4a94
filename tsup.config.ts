import { defineConfig } from 'tsup';

const common = {
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  // import.meta.url in the CommonJS build (used to find models/ and to create require)
  shims: true,
  splitting: false,
} as const;

export default defineConfig([
  // idphoto-verify/queue: its own entry, so that the core never loads bullmq (an optional peer dependency).
  { ...common, entry: { index: 'src/index.ts', queue: 'src/queue/index.ts' }, format: ['esm', 'cjs'], dts: true },
  { ...common, entry: { cli: 'src/cli/bin.ts' }, format: ['esm'], banner: { js: '#!/usr/bin/env node' } },
  // createVerifier's worker thread, found beside index.js / index.cjs / cli.js at run time.
  { ...common, entry: { worker: 'src/pool/worker.ts' }, format: ['esm', 'cjs'] },
]);
