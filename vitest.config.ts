import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    // Each test file builds its own assistant; two cores, so two workers.
    maxWorkers: 2,
  },
})
