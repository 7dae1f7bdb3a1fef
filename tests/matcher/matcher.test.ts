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
}, 60_000)

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

describe('IntentMatcher reads what is asked, not every topic named', () => {
  it.each([
    ['settled first, then asked', '医保的事我办完了，现在想问一下娃儿转学要啥手续', 'school_enrolment'],
    ['put aside first', '贷款先不说，主要是养羊有没有补助', 'industry_support'],
    ['a greeting in front', '你好你好，请问一下敬老院住进去要交多少钱', 'elderly_care'],
    ['thanks in front of the next question', '谢谢哈，再问下培训完了给不给发证书补贴', 'training_subsidy'],
    ['a story with its question at the end', '我们一家是前年从山上搬下来的，老公在外面跑车，我在家带两个娃，小的才三岁，大的今年九月该上小学了。户口本在老家没迁。想问问娃在安置点附近的小学报名要准备啥', 'school_enrolment'],
  ])('%s', (_kind, text, intent) => {
    expect(matcher.match(text).intent, JSON.stringify(matcher.explain(text).why)).toBe(intent)
  })

  it('weighs the clauses it read, and says why it decided', () => {
    const explained = matcher.explain('低保已经领到了，其实就想问老人能不能去食堂吃饭')
    expect(explained.clauses.map((c) => c.weight)).toEqual([0.2, 1])
    expect(explained.why[0]!.intent).toBe('elderly_care')
    expect(explained.why[0]!.features.length).toBeGreaterThan(0)
  })

  it('reads a message typed in pinyin as the Chinese it spells', () => {
    expect(matcher.match('peixun butie zenme ling').intent).toBe('training_subsidy')
    expect(matcher.match('laonianren ruzhu yanglaoyuan yao duoshao qian').intent).toBe('elderly_care')
  })
})

describe('IntentMatcher refuses requests it must not answer, whatever policy words they carry', () => {
  it.each([
    ['writing for someone', '帮我写一份低保工作的年终总结，八百字'],
    ['recommending a shop', '县城哪家培训学校的电脑班最好，给推荐一个'],
    ['medicine', '孩子咳嗽两天了，吃阿莫西林还是吃头孢好'],
    ['a shop complaint', '拼多多上买的鞋子开胶了，商家不给退款，我要投诉'],
    ['a complaint about a shop nearby, over what it sold', '楼下小卖部卖给我的酱油过期半年了，我要投诉他'],
    ['another government domain', '护照过期了去哪里换新的'],
    ['a rumour', '朋友圈说下个月医保卡要作废了，是真的吗'],
  ])('%s', (_kind, text) => {
    expect(matcher.match(text), JSON.stringify(matcher.explain(text).why)).toMatchObject({ intent: null, refusal: 'out_of_scope' })
  })
})

describe('IntentMatcher takes a complaint about a neighbour\'s nuisance to the settlement (escalation)', () => {
  it.each([
    ['fumes from a restaurant', '对门那家火锅店的油烟天天往我家灌，我要投诉'],
    ['noise at night', '楼上那户每天半夜还在剁东西，吵得没法睡，想投诉他们'],
    ['a workshop\'s noise', '我要投诉小区旁边的木材加工厂，机器从早响到晚'],
  ])('%s', (_kind, text) => {
    expect(matcher.match(text), JSON.stringify(matcher.explain(text).why)).toMatchObject({ intent: 'escalation' })
  })
})

describe('IntentMatcher tells danger happening now from an event that is over', () => {
  it('flags danger now, in words that are not a fixed phrase', () => {
    for (const text of ['快点来人，三楼楼道里烟好大', '对门好大一股煤气味，喊门没人应', '我爷爷突然倒下去喊不醒了']) {
      expect(matcher.match(text), text).toMatchObject({ intent: 'escalation', danger: { now: true } })
    }
  })

  it('leaves an event that is over to its topic, and a broken appliance to repairs', () => {
    const past = matcher.match('前年屋里失过火，早就扑灭了，人都没事，现在生活困难能不能申请临时救助')
    expect(past.danger?.now).not.toBe(true)
    expect(past.intent).toBe('dibao_eligibility')
    expect(matcher.match('热水器点不着火，一直响就是不出热水').danger).toBeUndefined()
  })

  it('misses no urgent line of the labelled urgent set, and raises at most two false alarms', async () => {
    const file = path.join(ROOT, 'tests/matcher/urgent.jsonl')
    const { urgent } = evaluate(matcher, parseEvalLines(await readFile(file, 'utf8'), file))
    expect(urgent.missed).toEqual([])
    expect(urgent.falseAlarms.length, urgent.falseAlarms.join('\n')).toBeLessThanOrEqual(2)
  })
})

describe('IntentMatcher on the non-policy intents', () => {
  it.each([
    ['notices', '社区这几天有没有发啥新通知', 'notices'],
    ['notices in dialect', '最近有冇得么子通知咯', 'notices'],
    ['ticket status', '上回我反映的那个事情办得咋样了', 'ticket_status'],
    ['help', '你这个能帮我弄些啥子', 'help'],
  ])('%s', (_kind, text, intent) => {
    expect(matcher.match(text).intent, JSON.stringify(matcher.explain(text).why)).toBe(intent)
  })
})
