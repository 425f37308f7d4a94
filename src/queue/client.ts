/**
 * The producer's side of the queue: enqueue a call with its inputs (files by path, small byte inputs
 * inline), under an id made from the inputs' content, and wait for its outcome.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULTS as DEFAULT_VALUES } from '../core/defaults.js';
import { ERROR_MESSAGES, ErrorCode, type ErrorMessages, VerifyError, invalidArgument } from '../core/errors.js';
import { checkOptions, is, withDefaults } from '../core/options.js';
import { type ConnectionOption, connect, loadBullMQ, type RedisConnection, release } from './connection.js';
import { type InputRef, QUEUE_CALLS, type QueueCall, type QueueJobData, type QueueJobs, checkInputRef, contentHash, inputsOf, jobIdOf, maxBytesOf } from './jobs.js';

/** An input as a producer gives it: a path (read by the worker), bytes (sent inline, up to `maxInlineBytes`), or a reference. */
export type EnqueueInput = string | Uint8Array | InputRef;

type WithInputs<T> = { [K in keyof T]: T[K] extends InputRef ? EnqueueInput : T[K] extends InputRef[] ? EnqueueInput[] : T[K] };
/** What `enqueue` takes for each call: the job data with inputs as paths, bytes or references. */
export type EnqueueData<C extends QueueCall> = WithInputs<QueueJobs[C]>;

/** createQueueClient's options. */
export interface QueueClientOptions {
  /** Where Redis is: a URL or ioredis options. */
  connection: ConnectionOption;
  /** The queue's name (default 'idphoto-verify'). */
  queue?: string;
  /** Bytes of an input sent inline in the job, at most (default 256 KiB: an ID photo is 20–40 KB); a larger one is INPUT_TOO_LARGE — give a path or a key. */
  maxInlineBytes?: number;
  /** Runs of a job at most, for transient faults (a worker that died, a timeout). Default 3. */
  attempts?: number;
  /** First wait before a retry, doubled each time. Default 2,000 ms. */
  backoffMs?: number;
  /** Completed jobs kept in Redis (their results), at most (default 10,000); failed jobs (the dead letters) are kept (default 10,000). */
  keepCompleted?: number;
  keepFailed?: number;
  /** Seconds a finished job (its result or dead letter) stays in Redis after it ends, at most (default 86,400: a day). */
  expireAfterS?: number;
  /** enqueue's limit, ms: past it (Redis down or unreachable) it rejects with TIMEOUT, a retryable code (default 10,000). */
  enqueueTimeoutMs?: number;
}

/** A job's end: its result, or the code it failed with, a technical message (no server paths) and the words for the applicant. */
export type JobOutcome =
  | { id: string; status: 'completed'; result: unknown; attemptsMade: number }
  | { id: string; status: 'failed'; code: string; message: string; messages: ErrorMessages; attemptsMade: number };

/** The producer's handle on a queue. */
export interface QueueClient {
  /**
   * Enqueues a call. Enqueuing the same work again (same call, inputs' content and options) while it waits,
   * runs or has its result returns the same id with `duplicate: true` and adds nothing; a job of that id that
   * failed is replaced by this one (a failure is not the answer to every later try).
   */
  enqueue<C extends QueueCall>(call: C, data: EnqueueData<C>): Promise<{ id: string; duplicate: boolean }>;
  /** Waits for the job's end (default: at most 10 minutes, then TIMEOUT). */
  outcome(id: string, options?: { timeoutMs?: number }): Promise<JobOutcome>;
  /** Jobs by state: waiting, active, delayed, completed, failed. */
  counts(): Promise<Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed', number>>;
  /** The dead letters: jobs that failed for good, with their codes (most recent first). */
  deadLetters(limit?: number): Promise<Array<{ id: string; call: string; code: string; message: string; messages: ErrorMessages; attemptsMade: number }>>;
  /** Closes the client's Redis connections. */
  close(): Promise<void>;
}

const CLIENT_SCHEMA = {
  connection: is.any,
  queue: is.string,
  maxInlineBytes: is.positiveInteger,
  attempts: is.positiveInteger,
  backoffMs: is.positiveInteger,
  keepCompleted: is.positiveInteger,
  keepFailed: is.positiveInteger,
  expireAfterS: is.positiveInteger,
  enqueueTimeoutMs: is.positiveInteger,
} as const;

// outcome() looks at the job's state again after 1 s, then twice as long each time up to 10 s, beside its
// events: a missed event costs seconds, and a producer waiting on thousands of jobs does not poll Redis hard.
const OUTCOME_POLL_MS = { first: 1000, max: 10_000 } as const;

// The words for a failure without a library code: the queue's own (a job whose worker died too often),
// a fault outside the library (UNEXPECTED), a reason this version cannot read (UNKNOWN). Service-side: "try again".
const QUEUE_MESSAGES: Readonly<Record<string, ErrorMessages>> = {
  STALLED: { zh: '服务处理中断，请稍后重新提交。', en: 'Processing was interrupted. Please submit again later.' },
  UNEXPECTED: { zh: '服务处理时出错，请稍后重试。', en: 'The service ran into an error. Please try again later.' },
  UNKNOWN: { zh: '服务未能完成处理，请稍后重试。', en: 'The service could not complete the request. Please try again later.' },
};

/** What to tell the applicant about a failed job's code. */
export function messagesOf(code: string): ErrorMessages {
  return (Object.hasOwn(ERROR_MESSAGES, code) ? ERROR_MESSAGES[code as ErrorCode] : undefined) ?? QUEUE_MESSAGES[code] ?? QUEUE_MESSAGES.UNKNOWN!;
}

/** Where a job's failure code is in BullMQ's failedReason: 'CODE: message'. */
export function codeOf(failedReason: string | undefined): { code: string; message: string } {
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(failedReason ?? '');
  if (m) return { code: m[1]!, message: m[2]! };
  // BullMQ's own: a job whose process died more than maxStalledCount times.
  if (/stalled/i.test(failedReason ?? '')) return { code: 'STALLED', message: failedReason! };
  return { code: 'UNKNOWN', message: failedReason ?? '' };
}

/** The producer's handle: enqueue calls, wait for outcomes, read the dead letters. */
export function createQueueClient(options: QueueClientOptions): QueueClient {
  const o = withDefaults(DEFAULT_VALUES.queue, checkOptions(options, CLIENT_SCHEMA));
  if (o.connection === undefined) throw invalidArgument('connection', 'a Redis URL or ioredis options', o.connection);
  const { Queue, QueueEvents } = loadBullMQ();
  const connections: RedisConnection[] = [];
  const conn = () => {
    const c = connect(o.connection);
    connections.push(c);
    return c;
  };
  const queue = new Queue(o.queue, { connection: conn() });
  // Redis restarting or away: ioredis reconnects and the calls resume; BullMQ prints an error event without a listener.
  queue.on('error', () => {});
  // Each outcome() waiting adds a listener to the queue: a producer may wait for thousands at once.
  queue.setMaxListeners(0);
  let events: InstanceType<typeof QueueEvents> | undefined;

  async function reference(input: unknown, where: string): Promise<InputRef> {
    if (typeof input === 'string') {
      if (input.length === 0) throw invalidArgument(where, 'a path, bytes or a reference', input);
      return { path: input };
    }
    if (input instanceof Uint8Array) {
      if (input.byteLength > o.maxInlineBytes) {
        throw new VerifyError(ErrorCode.INPUT_TOO_LARGE, `${where} is ${input.byteLength} bytes; inputs sent inline in a job are at most ${o.maxInlineBytes} (maxInlineBytes): give a path or a key.`, {
          details: { bytes: input.byteLength, maxInlineBytes: o.maxInlineBytes },
        });
      }
      return { base64: Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('base64') };
    }
    return checkInputRef(input, where);
  }

  /** `work` within enqueueTimeoutMs: a Redis that does not answer ends in TIMEOUT (retryable), not a wait forever. */
  async function bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new VerifyError(ErrorCode.TIMEOUT, `enqueue did not finish within ${o.enqueueTimeoutMs} ms: is Redis reachable?`, { details: { timeoutMs: o.enqueueTimeoutMs } })),
        o.enqueueTimeoutMs,
      );
    });
    work.catch(() => undefined); // settled after the timeout: nobody waits for it any more
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function add(call: QueueCall, data: Record<string, unknown>): Promise<{ id: string; duplicate: boolean }> {
    const d = { ...data };
    for (const key of ['input', 'idCard', 'video', 'photo'] as const) if (key in d) d[key] = await reference(d[key], key);
    if ('frames' in d) {
      if (!Array.isArray(d.frames) || d.frames.length === 0) throw invalidArgument('frames', 'a non-empty array', d.frames);
      d.frames = await Promise.all((d.frames as unknown[]).map((f, i) => reference(f, `frames[${i}]`)));
    }
    const refs = inputsOf({ call, ...d });
    refs.forEach((r, i) => checkInputRef(r, `input ${i}`));
    // Read in chunks from regular files of at most the call's input limit (a FIFO or /dev/zero is refused, not read).
    const contentHashes = await Promise.all(refs.map((r, i) => contentHash(r, maxBytesOf(call, i))));
    // The id: the call, what the inputs hold (not where they are), and everything else in the data.
    const rest = Object.fromEntries(Object.entries(d).filter(([k]) => !['input', 'idCard', 'video', 'photo', 'frames'].includes(k)));
    const id = jobIdOf(call, contentHashes, rest);
    const existing = await queue.getJob(id);
    if (existing) {
      // A failure is not the answer to every later try: the failed job makes room for this one.
      if ((await existing.getState()) !== 'failed') return { id, duplicate: true };
      await existing.remove().catch(() => undefined); // someone else replaced it meanwhile: add() below finds theirs
    }
    // Who added the job: BullMQ's add() with an id that exists adds nothing and does not say so.
    const token = randomUUID();
    const job: QueueJobData = { ...(d as object), call, contentHashes, token } as QueueJobData;
    await queue.add(call, job, {
      jobId: id,
      attempts: o.attempts,
      backoff: { type: 'exponential', delay: o.backoffMs },
      removeOnComplete: { age: o.expireAfterS, count: o.keepCompleted },
      removeOnFail: { age: o.expireAfterS, count: o.keepFailed },
    });
    const stored = await queue.getJob(id);
    return { id, duplicate: stored != null && stored.data?.token !== token };
  }

  return {
    async enqueue(call, data) {
      if (!(QUEUE_CALLS as readonly string[]).includes(call)) throw invalidArgument('call', QUEUE_CALLS.join(' | '), call);
      if (data === null || typeof data !== 'object') throw invalidArgument('data', 'object', data);
      return bounded(add(call, data as Record<string, unknown>));
    },

    async outcome(id, { timeoutMs = 600_000 } = {}) {
      if (!events) {
        events = new QueueEvents(o.queue, { connection: conn() });
        events.on('error', () => {});
        events.setMaxListeners(0);
      }
      const job = await queue.getJob(id);
      if (!job) throw invalidArgument('id', 'the id of a job in this queue', id);
      await events.waitUntilReady();
      const deadline = Date.now() + timeoutMs;
      let poll: number = OUTCOME_POLL_MS.first;
      // The job's events, and its state looked at again now and then (OUTCOME_POLL_MS): an event that passed
      // before this listener was in place (a job finishing as it is asked about) must not cost the whole timeout.
      for (;;) {
        const state = await job.getState();
        // Read after the state: a job read before it ended would show no result and no reason.
        const now = state === 'completed' || state === 'failed' ? ((await queue.getJob(id)) ?? job) : job;
        if (state === 'completed') return { id, status: 'completed', result: now.returnvalue, attemptsMade: now.attemptsMade };
        if (state === 'failed') {
          const { code, message } = codeOf(now.failedReason);
          return { id, status: 'failed', code, message, messages: messagesOf(code), attemptsMade: now.attemptsMade };
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new VerifyError(ErrorCode.TIMEOUT, `Job ${id} did not finish within ${timeoutMs} ms.`, { details: { id, timeoutMs } });
        await job.waitUntilFinished(events, Math.min(left, poll)).catch(() => undefined);
        poll = Math.min(OUTCOME_POLL_MS.max, poll * 2);
      }
    },

    async counts() {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      return { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
    },

    async deadLetters(limit = 100) {
      const jobs = await queue.getFailed(0, limit - 1);
      return jobs.map((j) => {
        const { code, message } = codeOf(j.failedReason);
        return { id: j.id!, call: j.name, code, message, messages: messagesOf(code), attemptsMade: j.attemptsMade };
      });
    },

    async close() {
      await events?.close();
      await queue.close();
      await Promise.all(connections.map(release));
    },
  };
}
