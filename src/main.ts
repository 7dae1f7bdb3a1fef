// The composition root: configuration → assistant (knowledge, matcher, store, pipeline) → adapters.
// It is the one module of src/ that imports adapters; the adapters themselves only import src/.
import { buildHttpServer } from '../adapters/http/server'
import { createAssistant } from './assistant'
import { loadConfig } from './config/env'
import { isAnjuError } from './core/errors'

async function main(): Promise<void> {
  const config = loadConfig()
  const assistant = await createAssistant(config)
  const app = await buildHttpServer({ pipeline: assistant.pipeline, translate: assistant.translate, logger: assistant.logger })
  const address = await app.listen({ port: config.PORT, host: config.HOST })
  assistant.logger.info({ address, dataDir: config.DATA_DIR, intents: assistant.kb.intents.length }, `Anju is listening on ${address}`)

  const stop = async (signal: string) => {
    assistant.logger.info({ signal }, 'shutting down')
    await app.close()
    await assistant.conversations.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((error: unknown) => {
  // Start-up errors are for the person deploying: the code and the full reason, no stack noise.
  console.error(isAnjuError(error) ? `${error.code}: ${error.message}` : error)
  process.exit(1)
})
