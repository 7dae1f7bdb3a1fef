import path from 'node:path'
import type { OutboundReply } from '../../src/core/context'
import { Broadcaster, type BroadcastOptions } from '../../src/broadcast/broadcaster'
import { LowdbDeliveryStore } from '../../src/broadcast/delivery-store'
import type { Notice } from '../../src/broadcast/notice'
import type { Audience, ChannelSender, DeliveryResult, SendOptions } from '../../src/delivery/types'
import { createLogger } from '../../src/core/logger'
import { createTranslator } from '../../src/i18n'
import { loadKnowledgeBase } from '../../src/knowledge/loader'
import { LowdbResidentStore } from '../../src/store/lowdb/resident-store'
import type { ResidentProfile } from '../../src/store/types'
import { ROOT } from '../helpers'
import type { TestClock } from '../escalation/desk-fixture'

export const XINGFU = 'xingfu_jiayuan_sample'
export const ANLE = 'anle_xinju_sample'

export function resident(n: number, patch: Partial<ResidentProfile> = {}): ResidentProfile {
  return {
    key: `telegram:${n}`, channel: 'telegram', channelUserId: String(n), settlementId: XINGFU,
    notices: true, tags: [], blocked: false, createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z', ...patch,
  }
}

/** Residents written straight into the lowdb store, many at a time (the store coalesces each shard's writes). */
export async function seedResidents(store: LowdbResidentStore, profiles: ResidentProfile[]): Promise<void> {
  for (let start = 0; start < profiles.length; start += 5_000) await Promise.all(profiles.slice(start, start + 5_000).map((p) => store.save(p)))
}

export function notice(patch: Partial<Notice> = {}): Notice {
  return {
    id: 'N000000000001', title: { 'zh-CN': '招聘会', en: 'Job fair' }, body: { 'zh-CN': '周六上午九点在社区广场。', en: 'Saturday 9:00 on the square.' },
    audience: { settlements: [XINGFU], tags: [] }, sendAt: '2026-11-23T01:00:00.000Z', expiresAt: '2026-12-23T01:00:00.000Z',
    author: 'wang_deming', status: 'sending', createdAt: '2026-11-23T01:00:00.000Z', updatedAt: '2026-11-23T01:00:00.000Z', ...patch,
  }
}

/**
 * A channel that counts deliveries per recipient. `script` may answer a send differently (retry, unreachable);
 * after `crashAfter` sends every further call is taken by the platform and then never answered, as when the
 * process dies between the platform's "ok" and the record of it.
 */
export class CountingChannel implements ChannelSender {
  readonly counts = new Map<string, number>()
  readonly texts = new Map<string, string>()
  sends = 0
  crashAfter = Infinity
  script?: (recipient: string, call: number) => DeliveryResult | undefined
  #calls = new Map<string, number>()
  #crashed?: () => void
  readonly crashed = new Promise<void>((resolve) => { this.#crashed = resolve })

  async send(recipient: string, reply: OutboundReply, _audience?: Audience, options?: SendOptions): Promise<DeliveryResult> {
    if (options?.beforeAttempt && !(await options.beforeAttempt())) return { status: 'cancelled' }
    const call = (this.#calls.get(recipient) ?? 0) + 1
    this.#calls.set(recipient, call)
    const scripted = this.script?.(recipient, call)
    if (scripted) return scripted
    this.counts.set(recipient, (this.counts.get(recipient) ?? 0) + 1)
    this.texts.set(recipient, reply.text)
    this.sends += 1
    if (this.sends > this.crashAfter) {
      this.#crashed?.()
      return new Promise(() => {})
    }
    return { status: 'sent' }
  }
}

/** A broadcaster on `dataDir` of a deployment with Telegram, whose Telegram here is `channel` (undefined: not started in this process). */
export async function makeBroadcaster(dataDir: string, clock: TestClock, channel: ChannelSender | undefined, options: Partial<BroadcastOptions> = {}) {
  const kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
  const residents = new LowdbResidentStore(dataDir)
  const broadcaster = new Broadcaster({
    deliveries: new LowdbDeliveryStore(dataDir), residents, clock, logger: createLogger('silent'), translate: await createTranslator(kb.messages),
    senderFor: (c) => (c === 'telegram' ? channel : undefined),
    channelConfigured: (c) => c === 'telegram',
    options: { pacing: false, concurrency: 8, backoffBaseMs: 1, ...options },
  })
  return { broadcaster, residents }
}
