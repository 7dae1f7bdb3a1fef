import { defineConfig } from 'vitest/config'

const BROWSER_TESTS = 'tests/**/*.browser.test.ts'

export default defineConfig({
  test: {
    testTimeout: 20_000,
    // Each file builds an assistant in beforeAll; on a shared two-core machine that can take more than 10 s.
    hookTimeout: 30_000,
    // Each test file builds its own assistant; two cores, so two workers.
    maxWorkers: 2,
    // In CI, a JSON report as well, so .ci/run can print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'coverage/vitest-report.json' },
    projects: [
      { extends: true, test: { name: 'server', include: ['tests/**/*.test.ts'], exclude: [BROWSER_TESTS], sequence: { groupOrder: 0 } } },
      // The pages in Chromium run once the rest has finished: beside the multi-process scale tests on two cores,
      // a click's answer could take longer than the page tests wait.
      { extends: true, test: { name: 'browser', include: [BROWSER_TESTS], sequence: { groupOrder: 1 } } },
    ],
  },
})
