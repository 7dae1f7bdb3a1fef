import { cp, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Assistant } from '../../src/assistant'
import type { Locale } from '../../src/knowledge/schemas'
import { ROOT } from '../helpers'

/** A copy of the knowledge base to edit (a county setting its standard, changing a rule), under `dir`. */
export async function copyKnowledge(dir: string, dibaoStandard?: number): Promise<string> {
  const knowledgeDir = path.join(dir, 'knowledge')
  await cp(path.join(ROOT, 'knowledge'), knowledgeDir, { recursive: true })
  if (dibaoStandard !== undefined) await editFile(path.join(knowledgeDir, 'settlements.yaml'), (text) => text.replaceAll('dibaoStandardYuanPerMonth: null', `dibaoStandardYuanPerMonth: ${dibaoStandard}`))
  return knowledgeDir
}

export async function editFile(file: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(file, 'utf8')
  const after = change(before)
  if (after === before) throw new Error(`edit of ${file} changed nothing`)
  await writeFile(file, after)
}

/** A resident on a test channel with a controllable clock: `say` returns the joined replies and the context. */
export function residentOf(assistant: Assistant, userId: string, locale?: Locale, start = '2025-03-03T02:00:00Z') {
  let now = new Date(start)
  const say = async (text: string) => {
    const ctx = await assistant.pipeline.handle({ channel: 'test', channelUserId: userId, text, locale, receivedAt: now })
    now = new Date(now.getTime() + 5_000)
    return { ctx, text: ctx.replies.map((r) => r.text).join('\n'), choices: ctx.replies.flatMap((r) => r.choices ?? []) }
  }
  const advanceMinutes = (minutes: number) => { now = new Date(now.getTime() + minutes * 60_000) }
  /** Several answers in a row; the last turn comes back. */
  const answer = async (...texts: string[]) => {
    let last!: Awaited<ReturnType<typeof say>>
    for (const text of texts) last = await say(text)
    return last
  }
  return { say, answer, advanceMinutes }
}

export const settle = (say: (text: string) => Promise<unknown>) => say('/settlement xingfu_jiayuan_sample')
