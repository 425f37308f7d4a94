/**
 * A queue worker process for the tests: createQueueWorker with short locks (a killed process's job is
 * taken over in ~3 s, not 30), one worker thread, its jobs as JSON lines on stdout. SIGTERM closes it;
 * the process then ends by itself (nothing left running keeps it alive).
 *   tsx test/queue/redis/worker-process.ts REDIS_URL QUEUE [SHUTDOWN_MS] [PATH_ROOT]
 * PATH_ROOT: the folder path inputs are read under (default fixtures/; '-' for none).
 */
import { createQueueWorker } from '../../../src/queue/index.js';

const [url, queue, shutdown, root] = process.argv.slice(2);
const fixtures = new URL('../../../fixtures/', import.meta.url).pathname;
const worker = createQueueWorker({
  connection: url!,
  queue,
  workersPerProcess: 1,
  lockDurationMs: 3000,
  stalledIntervalMs: 1000,
  shutdownTimeoutMs: shutdown && shutdown !== '-' ? Number(shutdown) : 30_000,
  ...(root === '-' ? {} : { allowPaths: { root: root ?? fixtures } }),
});
const say = (o: object) => process.stdout.write(`${JSON.stringify({ pid: process.pid, ...o })}\n`);
worker.on('job', (e) => say({ event: 'job', ...e }));
worker.on('error', (e) => process.stderr.write(`worker error: ${e.message}\n`));
await worker.ready();
say({ event: 'ready' });
process.once('SIGTERM', () => {
  void worker.close().then(() => say({ event: 'closed', metrics: worker.metrics() }));
});
