import cliProgress from 'cli-progress';

export interface Progress {
  tick(label: string): void;
  /** Writes a line above the bar (or plainly). */
  log(line: string): void;
  stop(): void;
}

/**
 * On a terminal, a progress bar with the count, the rate and the time left (cli-progress, on stderr);
 * otherwise nothing but the lines themselves, so that logs and pipes stay clean.
 */
export function progress(total: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || total < 2) {
    return { tick: () => undefined, log: (line) => console.log(line), stop: () => undefined };
  }
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {value}/{total} photos | {rate}/s | {eta_formatted} left | {label}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: '0.0', label: '' });
  let done = 0;
  return {
    tick(label) {
      done++;
      bar.update(done, { rate: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1), label: label.length > 40 ? `…${label.slice(-39)}` : label });
    },
    log(line) {
      // Above the bar: clear its line, print, redraw.
      process.stderr.write('\r\x1b[K');
      console.log(line);
      bar.render();
    },
    stop: () => bar.stop(),
  };
}
