import { defineConfig } from 'vitest/config';

// Tests on the real photos in ../shared/data (VERIFY_DATA_DIR overrides): `npm run test:data`.
export default defineConfig({
  test: {
    include: ['test-data/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
