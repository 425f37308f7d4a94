/**
 * worker and enqueue: the queue (idphoto-verify/queue) from the command line, for bulk runs across
 * machines. `worker` runs jobs until SIGTERM or Ctrl-C, then shuts down cleanly; `enqueue check`
 * puts a validatePhoto job per photo (inline, or by path for shared storage) and, with --wait, prints
 * each verdict as `check` does.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PhotoValidation } from '../../photo/types.js';
import { createQueueClient } from '../../queue/client.js';
import { createQueueWorker } from '../../queue/worker.js';
import { isInputError } from '../errors.js';
import { photosOf } from '../inputs.js';
import { type CliOptions, UsageError } from '../options.js';
import { TEXT, checkLabel, jsonLine, labelled, printable } from '../text.js';

/** worker --redis URL: runs jobs until SIGTERM or SIGINT; exit 0 after a clean shutdown. */
export async function worker(o: CliOptions): Promise<number> {
  const w = createQueueWorker({ connection: o.redis!, queue: o.queue, workersPerProcess: o.workers, ...(o.pathsUnder === undefined ? {} : { allowPaths: { root: o.pathsUnder } }) });
  w.on('error', (error) => console.error(`idphoto-verify worker: ${error.message}`));
  w.on('job', (e) => {
    if (o.json) console.log(jsonLine(e));
    else {
      const mark = { completed: '✓', retried: '↻', 'dead-lettered': '✗', 'handed-back': '↩' }[e.status];
      console.log(`${mark} ${e.call} ${e.id} ${e.status}${e.code ? ` ${e.code}` : ''} (${e.workMs} ms, queued ${e.queueMs} ms)`);
    }
  });
  await w.ready();
  console.error(`idphoto-verify worker: queue ${o.queue ?? 'idphoto-verify'}, ${w.metrics().pool.workers} worker thread(s); SIGTERM or Ctrl-C stops it cleanly.`);
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
  });
  console.error(`idphoto-verify worker: ${signal}: taking no more jobs, finishing the running ones.`);
  await w.close();
  const calls = Object.entries(w.metrics().calls).map(([call, m]) => `${call} ${m.completed} done, ${m.deadLettered} dead-lettered, ${m.retried} retried, ${m.handedBack} handed back`);
  console.error(`idphoto-verify worker: stopped. ${calls.join('; ') || 'no jobs'}`);
  return 0;
}

/** enqueue check <files…> --redis URL [--wait]: a validatePhoto job per photo. */
export async function enqueue(targets: string[], o: CliOptions): Promise<number> {
  const [what, ...rest] = targets;
  if (what !== 'check') throw new UsageError(`enqueue takes check and photos (enqueue check <files|folders|globs…>), not ${what ?? 'nothing'}`);
  if (rest.length === 0) throw new UsageError('enqueue check needs photos: files, folders or globs');
  const files = photosOf(rest, o);
  const client = createQueueClient({ connection: o.redis!, queue: o.queue });
  try {
    const jobs: Array<{ file: string; id: string; duplicate: boolean }> = [];
    let unreadable = 0;
    for (const file of files) {
      // Small photos travel in the job; larger ones (and --by-path) by absolute path, for workers on shared storage.
      const inline = !o.byPath && size(file) <= 256 * 1024;
      let queued: { id: string; duplicate: boolean };
      try {
        const input = inline ? readFileSync(file) : resolve(file);
        queued = await client.enqueue('validatePhoto', { input, options: { filename: file, ...(o.spec ? { spec: o.spec } : {}) } });
      } catch (error) {
        if (!isInputError(error) && (error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
        unreadable++;
        console.log(o.json ? jsonLine({ file, passed: false, error: { code: isInputError(error) ? error.code : 'INPUT_NOT_FOUND', message: (error as Error).message } }) : `✗ ${printable(file)}\n    ${TEXT.unreadable[o.locale]} (${isInputError(error) ? error.code : 'INPUT_NOT_FOUND'})`);
        continue;
      }
      const { id, duplicate } = queued;
      jobs.push({ file, id, duplicate });
      if (!o.wait) console.log(o.json ? jsonLine({ file, id, duplicate }) : `${id}\t${printable(file)}${duplicate ? '\t(already queued)' : ''}`);
    }
    const again = jobs.filter((j) => j.duplicate).length;
    console.error(`${jobs.length} job(s) enqueued${again ? ` (${again} already in the queue: the same photo and options)` : ''}.`);
    if (!o.wait) return unreadable === 0 ? 0 : 1;
    let failed = unreadable;
    for (const { file, id } of jobs) {
      const outcome = await client.outcome(id);
      if (outcome.status === 'failed') {
        failed++;
        console.log(o.json ? jsonLine({ file, id, passed: false, error: { code: outcome.code, message: outcome.message } }) : `✗ ${printable(file)}\n    ${outcome.message} (${outcome.code})`);
        continue;
      }
      const r = outcome.result as PhotoValidation;
      if (!r.passed) failed++;
      if (o.json) console.log(jsonLine({ file, id, ...r }));
      else {
        console.log(`${r.passed ? '✓' : '✗'} ${printable(file)}`);
        for (const c of r.checks) if (c.status === 'failed') console.log(`    ${c.severity === 'error' ? '' : TEXT.warning[o.locale]}${labelled(checkLabel(c.id, o.locale), c.message[o.locale], o.locale)}`);
      }
    }
    const summary = TEXT.checked[o.locale](files.length, files.length - failed, failed);
    if (o.json) console.error(summary);
    else console.log(`\n${summary}`);
    return failed === 0 ? 0 : 1;
  } finally {
    await client.close();
  }
}

function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
