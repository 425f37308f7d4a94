import { vi } from 'vitest';

/** What the CLI prints, captured: console.log lines in `out`, console.error lines in `err` (restore with vi.restoreAllMocks). */
export function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
  return { out, err };
}
