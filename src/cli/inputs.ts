import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, join } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { type CliOptions, UsageError } from './options.js';
import { TEXT } from './text.js';

/** Names taken from folders and globs unless --all-files: the image formats a phone, camera or scanner writes. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp', '.heic', '.heif', '.avif', '.tif', '.tiff', '.bmp', '.gif']);

export interface Inputs {
  files: string[];
  /** Files that folders and globs held but whose names are not images' (left out unless --all-files). */
  skipped: number;
}

/**
 * The photos of a bulk command: folders and globs expanded (image names only unless --all-files), a
 * note on stderr of what was left out; none at all is a usage error, not a run that checked nothing and passed.
 */
export function photosOf(targets: string[], o: CliOptions, excludeFolders: readonly string[] = []): string[] {
  const { files, skipped } = expandInputs(targets, o.allFiles, excludeFolders);
  if (files.length === 0) {
    throw new UsageError(`no image files in ${targets.join(' ')}${skipped > 0 ? ` (${skipped} other file${skipped === 1 ? '' : 's'}; --all-files takes every file)` : ''}`);
  }
  if (skipped > 0) console.error(TEXT.skipped[o.locale](skipped));
  return files;
}

/**
 * Files, folders and globs to files: folders recursively (sorted, hidden entries left out, each real
 * folder once, so symlink loops end), globs by tinyglobby (absolute paths from an absolute pattern). From folders and globs only image names are
 * taken (a README, a CSV or a video beside the photos is not a photo), unless `allFiles`; a file named
 * explicitly is always taken. A target that does not exist stays as it is, to be reported as unreadable in its row.
 */
export function expandInputs(targets: readonly string[], allFiles = false, excludeFolders: readonly string[] = []): Inputs {
  // Folders walked count as seen: an excluded one (fix's --out inside the photos' folder) is never entered.
  const seen = new Set<string>(excludeFolders.flatMap((dir) => (isDirectory(dir) ? [realpathSync(dir)] : [])));
  const out: string[] = [];
  let skipped = 0;
  const take = (found: string[]) => {
    for (const file of found) {
      if (allFiles || IMAGE_EXTENSIONS.has(extname(file).toLowerCase())) out.push(file);
      else skipped++;
    }
  };
  for (const target of targets) {
    if (isDynamicPattern(target) && !existsSync(target)) take(globSync(target, { onlyFiles: true, dot: false, followSymbolicLinks: false, absolute: isAbsolute(target) }).sort());
    else if (isDirectory(target)) take(walk(target, seen));
    else out.push(target);
  }
  return { files: [...new Set(out)], skipped };
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


function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
