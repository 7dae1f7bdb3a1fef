import { describe, expect, it } from 'vitest'
import { configuredChannels } from '../../src/config/channels'

describe('the channels a deployment runs', () => {
  it('is the web chat always, Telegram with a bot token, WeChat with a puppet', () => {
    expect([...configuredChannels({})]).toEqual(['web'])
    expect([...configuredChannels({ TELEGRAM_BOT_TOKEN: '123456:ABC-DEF' })].sort()).toEqual(['telegram', 'web'])
    expect([...configuredChannels({ TELEGRAM_BOT_TOKEN: '123456:ABC-DEF', WECHATY_PUPPET: 'wechaty-puppet-wechat4u' })].sort()).toEqual(['telegram', 'web', 'wechat'])
  })
})
