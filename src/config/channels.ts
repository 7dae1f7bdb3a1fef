import type { Config } from './env'

/**
 * The channels this deployment runs, on one instance or another: the web chat always, Telegram with a bot token,
 * WeChat with a puppet. Broadcasts plan by these, not by the senders this process runs: with Telegram polled by
 * the leader only, a notice planned on another instance still reaches Telegram residents (the leader claims them).
 */
export function configuredChannels(config: Pick<Config, 'TELEGRAM_BOT_TOKEN' | 'WECHATY_PUPPET'>): ReadonlySet<string> {
  return new Set(['web', ...(config.TELEGRAM_BOT_TOKEN ? ['telegram'] : []), ...(config.WECHATY_PUPPET ? ['wechat'] : [])])
}
