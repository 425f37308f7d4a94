// The built package, as users get it: `import` and `require` of the package root, and the CLI.
// Run after `npm run build` (npm test does both).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const fixture = fileURLToPath(new URL('../../fixtures/photos/compliant.jpg', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const esm = await import('idphoto-verify');
const cjs = require('idphoto-verify');
for (const [name, api] of [['import', esm], ['require', cjs]]) {
  for (const key of ['validatePhoto', 'loadModels', 'disposeModels', 'VerifyError', 'ErrorCode', 'HUBEI_EXAM_PHOTO', 'defineSpec']) {
    assert.ok(api[key] !== undefined, `${name}: ${key} is exported`);
  }
}
const viaImport = await esm.validatePhoto(fixture);
assert.equal(viaImport.passed, true, 'import: the compliant fixture passes');
const viaRequire = await cjs.validatePhoto(fixture);
assert.equal(viaRequire.passed, true, 'require: the compliant fixture passes');
const error = await cjs.validatePhoto(Buffer.alloc(0)).catch((e) => e);
assert.ok(error instanceof cjs.VerifyError && error.code === 'INPUT_EMPTY', 'require: typed errors');

const ok = spawnSync(process.execPath, [cli, 'check', fixture], { encoding: 'utf8' });
assert.equal(ok.status, 0, `CLI exit 0 on a compliant photo: ${ok.stderr}`);
assert.match(ok.stdout, /1 passed, 0 failed/);
const usage = spawnSync(process.execPath, [cli, 'nonsense'], { encoding: 'utf8' });
assert.equal(usage.status, 2, 'CLI exit 2 on a usage error');

console.log('package: 5 passed, 0 failed');
