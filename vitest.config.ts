import { defineConfig } from 'vitest/config';

// Three projects: `unit` (npm test) needs nothing outside the repo; `queue` (npm run test:queue) needs
// Debian's redis-server; `data` (npm run test:data) runs on the real photos and videos in ../shared/data
// (VERIFY_DATA_DIR overrides) and says what is missing without them.
export default defineConfig({
  test: {
    // Model inference on 2 cores: one file at a time keeps timings sane and memory flat.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/data/**', 'test/queue/redis/**', '**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // npm run test:queue: a real Redis server (Debian's redis-server) and worker processes.
          name: 'queue',
          include: ['test/queue/redis/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'data',
          include: ['test/data/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
