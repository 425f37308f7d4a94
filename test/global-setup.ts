/**
 * The suite runs with a temp folder of its own (TMPDIR, inherited by the test workers and every process
 * they start), so that what it finds left at the end is its own: another program's folder in the system
 * temp folder is not counted, and a real leftover of the library or of a test fails the run.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Caches that tools keep in the temp folder by design (tsx's compile cache), not leftovers of a test.
const TOOL_CACHES = /^tsx-\d+$/;

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'idphoto-test-run-'));
  process.env.TMPDIR = root;
  return () => {
    const left = readdirSync(root).filter((name) => !TOOL_CACHES.test(name));
    rmSync(root, { recursive: true, force: true });
    if (left.length > 0) {
      process.exitCode = 1;
      throw new Error(`The tests left ${left.length} entries in their temp folder: ${left.join(', ')}`);
    }
  };
}
