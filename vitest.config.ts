import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    // beforeAll builds an assistant (knowledge, matcher): on a busy two-core machine that can pass 10 s.
    hookTimeout: 20_000,
    // Each test file builds its own assistant; two cores, so two workers.
    maxWorkers: 2,
    // In CI, a JSON report as well, so .ci/run can print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'coverage/vitest-report.json' },
  },
})
