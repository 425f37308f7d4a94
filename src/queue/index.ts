/**
 * idphoto-verify/queue: the library's calls as jobs of a BullMQ queue on Redis, for work spread over
 * machines. Optional: it needs the peer dependencies bullmq and ioredis, which the core never loads.
 *
 *   const worker = createQueueWorker({ connection: 'redis://redis:6379' });            // each machine
 *   const client = createQueueClient({ connection: 'redis://redis:6379' });            // the producer
 *   const { id } = await client.enqueue('validatePhoto', { input: '/shared/uploads/p.jpg' });
 *   const outcome = await client.outcome(id);
 */
export { createQueueWorker } from './worker.js';
export type { QueueWorker, QueueWorkerOptions, QueueJobEvent, QueueMetrics, Summary } from './worker.js';
export { createQueueClient, codeOf } from './client.js';
export type { QueueClient, QueueClientOptions, EnqueueData, EnqueueInput, JobOutcome } from './client.js';
export { QUEUE_CALLS, jobIdOf, contentHash } from './jobs.js';
export type { QueueCall, QueueJobs, QueueJobData, InputRef } from './jobs.js';
export type { ConnectionOption } from './connection.js';
