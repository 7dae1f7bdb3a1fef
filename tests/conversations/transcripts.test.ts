import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTestAssistant } from '../helpers'

/**
 * Conversation transcripts (`*.txt` here), replayed through the pipeline as a test channel:
 *   user> the resident's message          (locale from a `# locale: en` line, zh-CN otherwise)
 *   intent> the expected intent id, or null
 *   bot~ text the reply must contain       (several allowed)
 *   bot!~ text the reply must not contain
 *   sources> yes | no                      (whether the answer cites sources)
 *   choice~ a label among the choices offered
 */
interface Step {
  line: number
  user: string
  intent?: string | null
  contains: string[]
  excludes: string[]
  choices: string[]
  sources?: boolean
}

function parseTranscript(content: string): { locale?: 'zh-CN' | 'en'; steps: Step[] } {
  const steps: Step[] = []
  let locale: 'zh-CN' | 'en' | undefined
  content.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    const localeLine = /^# locale: (zh-CN|en)$/.exec(line)
    if (localeLine) locale = localeLine[1] as 'zh-CN' | 'en'
    if (!line || line.startsWith('#')) return
    const [, tag, value] = /^(user>|intent>|bot~|bot!~|sources>|choice~)\s*(.*)$/.exec(line) ?? []
    if (!tag) throw new Error(`line ${index + 1}: unknown line "${line}"`)
    if (tag === 'user>') return void steps.push({ line: index + 1, user: value!, contains: [], excludes: [], choices: [] })
    const step = steps.at(-1)
    if (!step) throw new Error(`line ${index + 1}: "${tag}" before any user> line`)
    if (tag === 'intent>') step.intent = value === 'null' ? null : value!
    if (tag === 'bot~') step.contains.push(value!)
    if (tag === 'bot!~') step.excludes.push(value!)
    if (tag === 'sources>') step.sources = value === 'yes'
    if (tag === 'choice~') step.choices.push(value!)
  })
  return { locale, steps }
}

const dir = path.join(import.meta.dirname)
const files = (await readdir(dir)).filter((name) => name.endsWith('.txt')).sort()

describe('conversation transcripts', () => {
  // A transcript is replayed faster than anyone types: the per-resident rate limit has its own tests.
  const workspace = useTestAssistant({ CHAT_RATE_BURST: '1000' })

  it.each(files)('%s', async (name) => {
    const { assistant } = workspace
    const { locale, steps } = parseTranscript(await readFile(path.join(dir, name), 'utf8'))
    expect(steps.length).toBeGreaterThan(0)
    for (const step of steps) {
      const ctx = await assistant.pipeline.handle({ channel: 'test', channelUserId: name, text: step.user, locale, receivedAt: new Date() })
      const reply = ctx.replies.map((r) => r.text).join('\n')
      const where = `${name}:${step.line} "${step.user}"`
      if (step.intent !== undefined) expect(ctx.outcome.intent, where).toBe(step.intent)
      for (const text of step.contains) expect(reply, where).toContain(text)
      for (const text of step.excludes) expect(reply, where).not.toContain(text)
      if (step.sources !== undefined) expect(ctx.sources.length > 0, where).toBe(step.sources)
      const labels = ctx.replies.flatMap((r) => r.choices ?? []).map((c) => c.label)
      for (const label of step.choices) expect(labels, where).toContain(label)
    }
  })
})
