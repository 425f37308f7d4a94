/**
 * BullMQ and ioredis, loaded only when the queue is used: they are optional peer dependencies, and the
 * core of the library never imports them. A Redis URL becomes an ioredis connection with the options
 * BullMQ's workers need (no limit on a command's retries: a blocking read waits out a Redis restart).
 */
import { createRequire } from 'node:module';
import { ErrorCode, VerifyError, invalidArgument } from '../core/errors.js';

const require = createRequire(import.meta.url);

export type BullMQ = typeof import('bullmq');
type IORedisModule = typeof import('ioredis');
export type RedisConnection = import('ioredis').Redis;

/** Where Redis is: a URL (`redis://host:port/db`), or ioredis options ({ host, port, password, db, tls, … }). */
export type ConnectionOption = string | import('ioredis').RedisOptions;

/** The bullmq module, or BACKEND_UNAVAILABLE saying how to install it. */
export function loadBullMQ(): BullMQ {
  try {
    return require('bullmq') as BullMQ;
  } catch (cause) {
    throw new VerifyError(ErrorCode.BACKEND_UNAVAILABLE, "idphoto-verify/queue needs the optional peer dependencies bullmq and ioredis: npm install bullmq ioredis.", { cause });
  }
}

/**
 * A new Redis connection for BullMQ (each Queue, Worker and QueueEvents gets its own, closed with it).
 * Its errors (Redis restarting, unreachable) go to `onError`: ioredis reconnects by itself, and an
 * error event without a listener would be printed as unhandled.
 */
export function connect(connection: ConnectionOption, onError: (error: Error) => void = () => {}): RedisConnection {
  if (typeof connection !== 'string' && (connection === null || typeof connection !== 'object')) {
    throw invalidArgument('connection', 'a Redis URL or ioredis options', connection);
  }
  let IORedis: IORedisModule['default'];
  try {
    IORedis = (require('ioredis') as IORedisModule).default ?? (require('ioredis') as unknown as IORedisModule['default']);
  } catch (cause) {
    throw new VerifyError(ErrorCode.BACKEND_UNAVAILABLE, 'idphoto-verify/queue needs the optional peer dependency ioredis: npm install bullmq ioredis.', { cause });
  }
  const options = { maxRetriesPerRequest: null, enableReadyCheck: true };
  const redis = typeof connection === 'string' ? new IORedis(connection, options) : new IORedis({ ...connection, ...options });
  redis.on('error', onError);
  return redis;
}

/** Closes a connection: QUIT, and at most a second later a plain disconnect (a Redis that is down never answers QUIT). */
export async function release(redis: RedisConnection): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([redis.quit().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 1000)))]);
  clearTimeout(timer);
  redis.disconnect();
}
