/**
 * The suite leaves nothing in the system temp folder: every `idphoto-*` entry that appears during the
 * run must be gone at its end (the library's own folders, and the tests' scratch folders alike).
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

const ours = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('idphoto-')));

export default function setup(): () => void {
  const before = ours();
  return () => {
    const left = [...ours()].filter((name) => !before.has(name));
    if (left.length > 0) throw new Error(`The tests left ${left.length} entries in ${tmpdir()}: ${left.join(', ')}`);
  };
}
