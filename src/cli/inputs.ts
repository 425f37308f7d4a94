import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

/**
 * Files, folders and globs to files: folders recursively (sorted, hidden entries left out, each real
 * folder once, so symlink loops end), globs by tinyglobby. A target that does not exist stays as it
 * is, to be reported as unreadable in its row.
 */
export function expandInputs(targets: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const target of targets) {
    if (isDynamicPattern(target) && !exists(target)) {
      out.push(...globSync(target, { onlyFiles: true, dot: false, followSymbolicLinks: false }).sort());
      continue;
    }
    out.push(...walk(target, seen));
  }
  return [...new Set(out)];
}

function walk(target: string, seen: Set<string>): string[] {
  let info;
  try {
    info = statSync(target);
  } catch {
    return [target];
  }
  if (!info.isDirectory()) return [target];
  const real = realpathSync(target);
  if (seen.has(real)) return [];
  seen.add(real);
  return readdirSync(target)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => walk(join(target, name), seen));
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
