import { normalise } from '../matcher/normalise'
import type { ConversationTurn } from '../store/types'

/** Questions whose shared character pairs reach this share (Jaccard) are taken as one question asked again. */
export const ALIKE_THRESHOLD = 0.5

export interface UnansweredGroup {
  /** The wording asked most often in the group. */
  text: string
  count: number
  /** Other wordings, most frequent first. */
  variants: string[]
  lastAskedAt: string
  settlements: string[]
  locales: string[]
}

/**
 * Particles and question words that say how something is asked, not what: "几点必须关" and "几点要关掉" ask the
 * same, while "申请低保" and "申请医保" do not. Removed before comparing.
 */
const FILLER = /怎么样|怎么|什么|可以|能不能|是不是|请问|[的了吗呢啊吧呀要想我你他她它们就还都也]/g

/** Character pairs of the normalised text without filler (words for Latin script): what "alike" compares. */
function features(text: string): Set<string> {
  const result = new Set<string>()
  for (const word of normalise(text).replace(FILLER, '').split(' ')) {
    if (/^[\p{Script=Han}]+$/u.test(word)) {
      if (word.length === 1) result.add(word)
      for (let i = 0; i + 1 < word.length; i++) result.add(word.slice(i, i + 2))
    } else if (word) result.add(word)
  }
  return result
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0
  for (const item of a) if (b.has(item)) shared++
  const union = a.size + b.size - shared
  return union === 0 ? 0 : shared / union
}

/**
 * The unanswered questions grouped when alike, most frequent first, so that staff see what the knowledge base
 * lacks rather than a list of repeats. Greedy: each question joins the first group whose first question it is
 * alike to.
 */
export function groupUnanswered(turns: (ConversationTurn & { settlementId?: string })[]): UnansweredGroup[] {
  const groups: { seed: Set<string>; turns: typeof turns }[] = []
  for (const turn of turns) {
    const own = features(turn.text)
    const group = groups.find((g) => jaccard(g.seed, own) >= ALIKE_THRESHOLD)
    if (group) group.turns.push(turn)
    else groups.push({ seed: own, turns: [turn] })
  }
  return groups.map(({ turns: members }) => {
    const wordings = new Map<string, number>()
    for (const t of members) wordings.set(t.text.trim(), (wordings.get(t.text.trim()) ?? 0) + 1)
    const [text, ...variants] = [...wordings.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w)
    return {
      text: text!,
      count: members.length,
      variants: variants.slice(0, 10),
      lastAskedAt: members.reduce((last, t) => (t.at > last ? t.at : last), ''),
      settlements: [...new Set(members.map((t) => t.settlementId ?? 'unknown'))],
      locales: [...new Set(members.map((t) => t.locale))],
    }
  }).sort((a, b) => b.count - a.count || b.lastAskedAt.localeCompare(a.lastAskedAt))
}
