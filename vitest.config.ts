import { defineConfig } from 'vitest/config';

// Two projects: `unit` (npm test) needs nothing outside the repo; `data` (npm run test:data) runs on the
// real photos and videos in ../shared/data (VERIFY_DATA_DIR overrides) and says what is missing without them.
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
          exclude: ['test/data/**', '**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
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
