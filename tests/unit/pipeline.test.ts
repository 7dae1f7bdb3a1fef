import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/core/logger'
import { createTranslator } from '../../src/i18n'
import { loadKnowledgeBase } from '../../src/knowledge/loader'
import type { IntentMatcher } from '../../src/matcher/matcher'
import { Pipeline } from '../../src/pipeline/pipeline'
import { MemoryConversationStore } from '../../src/store/memory/conversation-store'
import { MemoryResidentStore } from '../../src/store/memory/resident-store'
import { ROOT } from '../helpers'

const message = (text: string, locale?: 'zh-CN' | 'en') => ({ channel: 'test', channelUserId: 'u1', text, locale, receivedAt: new Date('2026-11-23T08:00:00Z') })

async function pipelineWith(matcher: Pick<IntentMatcher, 'match'>) {
  const kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
  const conversations = new MemoryConversationStore()
  const pipeline = new Pipeline({
    kb,
    matcher: matcher as IntentMatcher,
    translate: await createTranslator(kb.messages),
    conversations,
    residents: new MemoryResidentStore(),
    logger: createLogger('silent'),
    defaultLocale: 'zh-CN',
  })
  return { pipeline, conversations }
}

describe('Pipeline', () => {
  it('turns a failure while answering into a polite reply, and still records the message', async () => {
    const { pipeline, conversations } = await pipelineWith({ match: () => { throw new Error('matcher bug') } })
    const ctx = await pipeline.handle(message('低保怎么申请'))
    expect(ctx.replies.map((r) => r.text)).toEqual([expect.stringContaining('系统出了点问题')])
    expect(ctx.outcome).toEqual({ intent: null, confidence: 0, fallback: true })
    expect(await conversations.listTurns()).toMatchObject([{ text: '低保怎么申请', fallback: true }])
  })

  it('answers English text in English when no locale is given, and the default locale otherwise', async () => {
    const { pipeline } = await pipelineWith({ match: () => ({ intent: 'thanks', confidence: 0.9, ranking: [] }) })
    expect((await pipeline.handle(message('thank you'))).locale).toBe('en')
    expect((await pipeline.handle(message('谢谢'))).locale).toBe('zh-CN')
    expect((await pipeline.handle(message('谢谢', 'en'))).locale).toBe('en')
  })

  it('asks which topic was meant when two are too close to call', async () => {
    const { pipeline } = await pipelineWith({
      match: () => ({ intent: null, confidence: 0.4, refusal: 'ambiguous', ranking: [{ intent: 'training_subsidy', score: 0.4 }, { intent: 'employment_help', score: 0.39 }] }),
    })
    const ctx = await pipeline.handle(message('培训找工作'))
    expect(ctx.replies[0]!.text).toContain('您问的是下面哪一方面')
    expect(ctx.replies[0]!.text).toContain('技能培训与培训补贴')
    expect(ctx.sources).toEqual([])
    expect(ctx.outcome.fallback).toBe(true)
  })
})
