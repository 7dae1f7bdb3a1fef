import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase } from '../../src/knowledge/loader'
import { evaluate, parseEvalLines } from '../../src/matcher/evaluate'
import { IntentMatcher } from '../../src/matcher/matcher'
import { normalise } from '../../src/matcher/normalise'
import { ROOT } from '../helpers'

let matcher: IntentMatcher
beforeAll(async () => {
  const kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
  matcher = new IntentMatcher(kb)
})

describe('normalise', () => {
  it('folds full-width forms, traditional characters, case, punctuation and emoji', () => {
    expect(normalise('申請低保需要什麼資料？？😊')).toBe('申请低保需要什么资料')
    expect(normalise('ＤＩＢＡＯ，　Help!')).toBe('dibao help')
  })
})

describe('IntentMatcher on the project questions (tests/matcher/questions.jsonl)', () => {
  it('routes in-scope questions and refuses out-of-scope ones', async () => {
    const file = path.join(ROOT, 'tests/matcher/questions.jsonl')
    const report = evaluate(matcher, parseEvalLines(await readFile(file, 'utf8'), file))
    expect(report.misses).toEqual([])
  })
})

describe('IntentMatcher on questions written blind (tests/matcher/blind-questions.jsonl)', () => {
  // Written by someone who saw neither the intents' examples nor the lexicon: a guard on generalisation.
  it('keeps in-scope top-1 and out-of-scope refusal at 95% or better', async () => {
    const file = path.join(ROOT, 'tests/matcher/blind-questions.jsonl')
    const report = evaluate(matcher, parseEvalLines(await readFile(file, 'utf8'), file))
    expect(report.inScope.accuracy, JSON.stringify(report.misses, null, 1)).toBeGreaterThanOrEqual(0.95)
    expect(report.outOfScope.refusalRate, JSON.stringify(report.misses, null, 1)).toBeGreaterThanOrEqual(0.95)
  })
})

describe('IntentMatcher robustness', () => {
  it.each([
    ['traditional characters', '申請低保要什麼條件', 'dibao_eligibility'],
    ['a homophone typo from voice input', '底保怎么申请', 'dibao_eligibility'],
    ['dialect', '娃儿读书咋个办', 'school_enrolment'],
    ['pinyin', 'dibao zenme shenqing', 'dibao_eligibility'],
    ['full-width and emoji', '培训补贴怎么领？？🙏🙏', 'training_subsidy'],
    ['an English typo', 'where can I see a doctr', 'medical_access'],
    ['a long message with its topic at the start', `孩子上学的事情想问一下。${'我们家情况比较复杂，'.repeat(100)}`, 'school_enrolment'],
  ])('understands %s', (_kind, text, intent) => {
    expect(matcher.match(text).intent).toBe(intent)
  })

  it.each([
    ['punctuation only', '？？？！！', 'empty'],
    ['emoji only', '😀😀😀', 'empty'],
    ['gibberish', 'xqzv bnmw plkj', 'low_confidence'],
  ])('refuses %s', (_kind, text, refusal) => {
    const result = matcher.match(text)
    expect(result.intent).toBeNull()
    expect(result.refusal).toBe(refusal)
  })

  it('refuses what only looks like policy', () => {
    for (const text of ['公积金贷款怎么办理', '最低工资标准是多少', '驾校学费能退吗']) {
      expect(matcher.match(text), text).toMatchObject({ intent: null })
    }
  })

  it('gives a confidence between 0 and 1 and a ranking, best first', () => {
    const result = matcher.match('小额贷款怎么申请')
    expect(result.intent).toBe('loans_credit')
    expect(result.confidence).toBeGreaterThan(0)
    expect(result.confidence).toBeLessThanOrEqual(1)
    expect(result.ranking[0]!.intent).toBe('loans_credit')
    const scores = result.ranking.map((r) => r.score)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
  })
})
