import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { createAssistant, type Assistant, type AssistantOverrides } from '../src/assistant'
import { loadConfig } from '../src/config/env'
import { createLogger } from '../src/core/logger'

export const ROOT = path.resolve(import.meta.dirname, '..')

/** A fresh temporary folder; remove it with `removeDir`. */
export const makeTempDir = (prefix = 'anju-test-') => mkdtemp(path.join(tmpdir(), prefix))
// A store may still be finishing a write (an outbox item moving to its day log) as a test ends: retried, not failed.
export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 })

/** The real assistant on the real knowledge base, writing lowdb files into `dataDir`. */
export async function createTestAssistant(dataDir: string, env: Record<string, string> = {}, overrides: AssistantOverrides = {}): Promise<Assistant> {
  const config = loadConfig({
    DATA_DIR: dataDir,
    KNOWLEDGE_DIR: path.join(ROOT, 'knowledge'),
    INTENTS_DIR: path.join(ROOT, 'intents'),
    ...env,
  })
  return createAssistant(config, { logger: createLogger('silent'), ...overrides })
}

/** A response body as JSON, loosely typed: tests assert its shape. */
export const readJson = (response: Response): Promise<any> => response.json()

/**
 * One real assistant on a fresh temporary data folder for the enclosing describe block (removed afterwards).
 * Read `.assistant` and `.dir` inside the tests, once beforeAll has run.
 */
export function useTestAssistant(env: Record<string, string> = {}, overrides: AssistantOverrides = {}) {
  const workspace = {} as { dir: string; assistant: Assistant }
  beforeAll(async () => {
    workspace.dir = await makeTempDir()
    workspace.assistant = await createTestAssistant(workspace.dir, env, overrides)
  })
  afterAll(async () => { await removeDir(workspace.dir) })
  return workspace
}
