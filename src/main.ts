// The composition root: configuration → assistant (knowledge, matcher, stores, pipeline) → adapters.
// It is the one module of src/ that imports adapters; the adapters themselves only import src/.
import { buildHttpServer } from '../adapters/http/server'
import { createTelegramBot, TelegramAdapter } from '../adapters/telegram/telegram-adapter'
import { createAssistant } from './assistant'
import { loadConfig } from './config/env'
import { isAnjuError } from './core/errors'

async function main(): Promise<void> {
  const config = loadConfig()
  const assistant = await createAssistant(config)
  const { pipeline, translate, logger } = assistant
  const app = await buildHttpServer({ pipeline, translate, logger })

  // Channels join only when configured; one that fails to start is logged and the rest keep running.
  const bot = createTelegramBot(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT)
  const telegram = bot && new TelegramAdapter({ bot, pipeline, translate, logger })
  const webhook = config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
    ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET }
    : undefined
  if (telegram && webhook) telegram.mountWebhook(app, webhook.url, webhook.secret)

  const address = await app.listen({ port: config.PORT, host: config.HOST })
  logger.info({ address, dataDir: config.DATA_DIR, intents: assistant.kb.intents.length }, `Anju is listening on ${address}`)
  if (telegram) await (webhook ? telegram.startWebhook(webhook.url, webhook.secret) : telegram.startPolling())

  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down')
    telegram?.stop()
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
