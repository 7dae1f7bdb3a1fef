// The composition root: configuration → assistant (knowledge, matcher, stores, demand desk, pipeline) → adapters.
// It is the one module of src/ that imports adapters; the adapters themselves only import src/.
import { buildHttpServer } from '../adapters/http/server'
import { createAssistant } from './assistant'
import { loadConfig } from './config/env'
import { isAnjuError } from './core/errors'
import { electLeader } from './store/postgres/leader'

async function main(): Promise<void> {
  const config = loadConfig()
  const assistant = await createAssistant(config)
  const { pipeline, translate, logger, desk, broadcast, residents, stores } = assistant
  // The web chat joins with the server: its channel is registered with the desk's outbox there.
  const app = await buildHttpServer({ ...assistant, consoleIdleMinutes: config.CONSOLE_IDLE_MINUTES })

  // Channels join only when configured; one that fails to start is logged and the rest keep running.
  // Channel libraries load only when their channel is configured: telegraf and wechaty cost start-up time.
  const telegramAdapter = config.TELEGRAM_BOT_TOKEN ? await import('../adapters/telegram/telegram-adapter') : undefined
  const bot = telegramAdapter?.createTelegramBot(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT)
  const telegram = telegramAdapter && bot && new telegramAdapter.TelegramAdapter({ bot, pipeline, translate, logger, staffChat: desk?.staffChat })
  const webhook = config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
    ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET }
    : undefined
  if (telegram && webhook) telegram.mountWebhook(app, webhook.url, webhook.secret)
  const wechatAdapter = config.WECHATY_PUPPET ? await import('../adapters/wechat/wechat-adapter') : undefined
  const wechaty = wechatAdapter?.createWechaty(config)
  const wechat = wechatAdapter && wechaty && new wechatAdapter.WechatAdapter({ wechaty, pipeline, translate, logger, residents, defaultLocale: config.DEFAULT_LOCALE, staffChat: desk?.staffChat })

  const address = await app.listen({ port: config.PORT, host: config.HOST })
  logger.info({ address, store: stores.kind, dataDir: config.DATA_DIR, intents: assistant.kb.intents.length }, `Anju is listening on ${address}`)
  const startTelegram = async () => {
    if (telegram && (await (webhook ? telegram.startWebhook(webhook.url, webhook.secret) : telegram.startPolling()))) {
      desk?.outbox.register('telegram', telegram.sender)
    }
  }
  // Several instances on one database: one polls Telegram (and sends its outbox), the leader; a webhook serves all.
  const telegramLeader = telegram && !webhook && stores.pool
    ? electLeader(stores.pool, 'telegram-poller', { onElected: startTelegram, onLost: () => telegram.stop() }, logger)
    : (await startTelegram(), undefined)
  if (wechat) {
    await wechat.start()
    desk?.outbox.register('wechat', wechat.sender)
    logger.info({ puppet: config.WECHATY_PUPPET }, 'WeChat started: scan the QR code to log in (unless a saved session logs in)')
  }
  await desk?.scheduler.start()
  assistant.retention.start()
  // After the channels are registered: broadcasts a restart interrupted resume on them.
  await broadcast?.start()

  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down')
    desk?.scheduler.stop()
    assistant.retention.stop()
    await broadcast?.stop()
    await wechat?.stop()
    await telegram?.stop()
    await telegramLeader?.resign()
    await app.close()
    await stores.close()
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
