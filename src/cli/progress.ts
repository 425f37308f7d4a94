import cliProgress from 'cli-progress';
import { type Locale, TEXT } from './text.js';

export interface Progress {
  tick(label: string): void;
  /** Writes a line to stdout, above the bar when there is one. */
  log(line: string): void;
  stop(): void;
}

/**
 * When stderr is a terminal, a progress bar there with the count, the rate and the time left
 * (cli-progress), whatever stdout is: `--json > out.jsonl` on a terminal still shows how far the run is.
 * Otherwise nothing, so that logs stay clean. Lines go to stdout either way.
 */
export function progress(total: number, locale: Locale, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total < 2) {
    return { tick: () => undefined, log: (line) => console.log(line), stop: () => undefined };
  }
  const started = Date.now();
  const bar = new cliProgress.SingleBar({ format: TEXT.progress[locale], stream, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { rate: '0.0', label: '' });
  let done = 0;
  return {
    tick(label) {
      done++;
      bar.update(done, { rate: (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1), label: label.length > 40 ? `…${label.slice(-39)}` : label });
    },
    log(line) {
      if (!process.stdout.isTTY) return void console.log(line);
      // On the same terminal: clear the bar's line, print above it, redraw.
      stream.write('\r\x1b[K');
      console.log(line);
      bar.render();
    },
    stop: () => bar.stop(),
  };
}
