import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    // Each file builds an assistant in beforeAll; on a shared two-core machine that can take more than 10 s.
    hookTimeout: 30_000,
    // Each test file builds its own assistant; two cores, so two workers.
    maxWorkers: 2,
    // In CI, a JSON report as well, so .ci/run can print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'coverage/vitest-report.json' },
  },
})
