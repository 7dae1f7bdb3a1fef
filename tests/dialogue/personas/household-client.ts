import type { Check } from '../../../src/knowledge/check-schema'

/** What a household says: typed words, or a button pressed (its value). */
export type Said = string | { press: string }

/** One household of the persona suite (`households.yaml`). */
export interface Household {
  id: string
  /** Who they are, for the reader of the suite. */
  about: string
  settlement: string
  check: string
  locale?: 'zh-CN' | 'en'
  /** How they start the pre-check, in their own words. */
  opening: string
  /** By question id: what they answer, first to last; a later one is said only after the bot asks again. */
  answers: Record<string, Said[]>
  /** By question id: said when that question is asked, before answering (side questions, then a resume word). */
  before?: Record<string, string[]>
  /** By question id: said right after answering it (corrections). */
  after?: Record<string, string[]>
  /** When this question is asked, the household gives up instead. */
  cancel?: { at: string; say: string }
  /** When this question is asked, the household presses a button of an earlier one (a stale press). */
  stale?: { at: string; of: string; press: string }
  expect: {
    /** By programme (低保, 特困 ...): the outcome id expected; a programme not listed must not be in the result. */
    outcomes?: Record<string, string>
    /** Answers as the result shows them back. */
    answers?: Record<string, string | number>
    /** Clauses the sources must include (all from the settlement's own documents). */
    clauses?: string[]
    /** Words the result must show (the stage to apply for ...) and must not. */
    shows?: string[]
    hides?: string[]
    cancelled?: boolean
  }
}

export interface ChatReply { text: string; promptId?: string }
export interface ChatBody { intent: string | null; replies: ChatReply[]; sources: { file: string; clause: string }[] }
export type Send = (body: { text?: string; button?: { value: string; promptId?: string } }) => Promise<ChatBody>

export interface Conversation {
  /** The result message, when one came. */
  result?: ChatBody
  /** Everything the bot said, for the failure message. */
  transcript: string[]
  problems: string[]
  cancelled: boolean
}

const PROMPT = /^check:([^:]+):([^:]+):\d+$/

/**
 * Talks to the chat API as the household would: reads the question the bot asks (by the reply's prompt id, or by
 * the question's wording when there is none) and answers it from the profile. It never counts questions.
 */
export async function converse(household: Household, check: Check, send: Send, sourceCheck: (body: ChatBody) => string[]): Promise<Conversation> {
  const locale = household.locale ?? 'zh-CN'
  const transcript: string[] = []
  const problems: string[] = []
  const used: Record<string, number> = {}
  const prompts: Record<string, string> = {}
  const said = new Set<string>()
  const talk = async (text: string, button?: { value: string; promptId?: string }) => {
    const body = await send(button ? { text, button } : { text })
    transcript.push(`user> ${text}${button ? ` [button ${button.promptId ?? ''}]` : ''}`, ...body.replies.map((r) => `bot> ${r.text}${r.promptId ? ` [${r.promptId}]` : ''}`))
    return body
  }
  /** The question this turn asks: its slot and prompt id. */
  const asked = (body: ChatBody): { slot: string; promptId?: string } | 'result' | undefined => {
    for (const reply of [...body.replies].reverse()) {
      const prompt = reply.promptId && PROMPT.exec(reply.promptId)
      if (prompt) return prompt[2] === 'result' ? 'result' : { slot: prompt[2]!, promptId: reply.promptId }
      const question = check.questions.find((q) => reply.text.includes(q.prompt[locale]))
      if (question) return { slot: question.slot }
    }
    return body.replies.some((r) => r.text.includes(resultMarker(locale))) ? 'result' : undefined
  }

  let body = await talk(household.opening)
  problems.push(...sourceCheck(body).map((p) => `opening: ${p}`))
  for (let turn = 0; turn < 60; turn++) {
    const now = asked(body)
    if (now === 'result') {
      // Every answer the profile gives was needed: a first answer the bot should have asked again about was taken.
      for (const [slot, phrases] of Object.entries(household.answers)) {
        const count = used[slot] ?? 0
        if (count > 0 && count < phrases.length) problems.push(`${slot}: took ${JSON.stringify(phrases[count - 1])} and never asked again`)
      }
      return { result: body, transcript, problems, cancelled: false }
    }
    if (!now) {
      problems.push('the bot asked no question and gave no result')
      break
    }
    const { slot, promptId } = now
    if (promptId) prompts[slot] = promptId
    if (household.cancel?.at === slot) {
      body = await talk(household.cancel.say)
      return { transcript, problems, cancelled: !asked(body) }
    }
    const stale = household.stale
    if (stale?.at === slot && !said.has('stale')) {
      said.add('stale')
      body = await talk(stale.press, { value: stale.press, promptId: prompts[stale.of] })
      const again = asked(body)
      if (again === 'result' || again?.slot !== slot) problems.push(`a stale press for ${stale.of} moved the check on (now ${JSON.stringify(again)})`)
      continue
    }
    const before = household.before?.[slot]
    if (before && !said.has(`before:${slot}`)) {
      said.add(`before:${slot}`)
      for (const text of before) body = await talk(text)
      const again = asked(body)
      if (again === 'result' || again?.slot !== slot) problems.push(`after "${before.join(' / ')}" the bot did not come back to ${slot} (now ${JSON.stringify(again)})`)
      continue
    }
    const phrases = household.answers[slot]
    const index = used[slot] ?? 0
    const phrase = phrases?.[index]
    if (phrase === undefined) {
      problems.push(phrases ? `asked ${slot} again after its last answer` : `asked ${slot}, which the profile has no answer for`)
      break
    }
    used[slot] = index + 1
    // YAML reads "3" as a number: the household typed it.
    body = typeof phrase === 'object' ? await talk(phrase.press, { value: phrase.press, ...(promptId ? { promptId } : {}) }) : await talk(String(phrase))
    const after = household.after?.[slot]
    if (after && !said.has(`after:${slot}`) && asked(body) !== 'result') {
      said.add(`after:${slot}`)
      for (const text of after) body = await talk(text)
    }
  }
  return { transcript, problems, cancelled: false }
}

const resultMarker = (locale: 'zh-CN' | 'en') => (locale === 'en' ? 'This is a pre-check, not a decision' : '这是预先估算，不是审批结果')
export { resultMarker }
