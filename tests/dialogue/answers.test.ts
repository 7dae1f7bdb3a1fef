import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseAnswer } from '../../src/dialogue/answers'
import { asksQuestion, correctionOf, meansCancel, meansResume } from '../../src/dialogue/intentions'
import { normaliseAnswer } from '../../src/knowledge/answer-words-schema'
import type { Question } from '../../src/knowledge/check-schema'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/knowledge/loader'
import { ROOT } from '../helpers'

/** The readers on the real word lists (`knowledge/answer-words.yaml`) and the real questions. */
describe('reading answers by what the question asks', () => {
  let kb: KnowledgeBase
  beforeAll(async () => {
    kb = await loadKnowledgeBase({ knowledgeDir: path.join(ROOT, 'knowledge'), intentsDir: path.join(ROOT, 'intents') })
  })
  const now = new Date('2025-06-01T00:00:00Z')
  const question = (check: string, slot: string): Question => kb.checks.get(check)!.questions.find((q) => q.slot === slot)!
  const read = (check: string, slot: string, text: string) => parseAnswer(question(check, slot), text, kb.answerWords, now)

  it.each([
    ['3', 3], ['三口人', 3], ['我家五口', 5], ['一家四口', 4], ['十五', 15], ['就我自己', 1], ['两口子加一个娃', 3],
    ['三个大人两个小孩', 5], ['一家五口，三个大人两个小孩', 5], ['老二六岁', undefined], ['三四口', undefined], ['好多人', undefined], ['three of us', 3],
  ])('people: "%s" is %s', (text, expected) => {
    expect(read('dibao', 'householdSize', text)).toBe(expected)
  })

  it.each([
    ['两千', 2000], ['两千五百块', 2500], ['一万五', 15000], ['1.5千', 1500], ['3千5', 3500], ['一百零五', 105],
    ['一个月两千五左右', 2500], ['大概两千五一个月', 2500], ['2,500', 2500], ['2，500元', 2500], ['两三千吧', 2500], ['2000到3000', 2500],
    ['2-3千', 2500], ['一年三万来块', 2500], ['1.5万一年', 1250], ['年收入两万四', 2000], ['我打工一个月三千，老婆一千五', 4500],
    ['我三千她两千，加起来五千', 5000], ['三口人一个月两千', 2000], ['没有收入', 0], ['冇得收入', 0], ['一分钱都没有', 0],
    ['没有固定收入，打零工一个月一千左右', 1000], ['about 2k a month', 2000], ['30000 a year', 2500], ['none', 0],
    ['几百块', undefined], ['一天一百', undefined], ['不知道', undefined], ['不少', undefined],
  ])('money per month: "%s" is %s', (text, expected) => {
    expect(read('dibao', 'monthlyIncome', text)).toBe(expected)
  })

  it.each([
    ['35', 35], ['三十五岁', 35], ['我85年的', 40], ['八五年生的', 40], ['1990', 35], ['1990年出生', 35], ['五十来岁', 50],
    ['born in 1990', 35], ['四十五', 45], ['三十五六', undefined],
  ])('an adult age: "%s" is %s', (text, expected) => {
    expect(read('training', 'age', text)).toBe(expected)
  })

  it.each([
    ['七岁', 7], ['7岁半', 7], ['才8个月大', 0], ['老二六岁', 6], ['2018年3月', 7], ['2018-09', 6], ['18年的', 7], ['虚岁七岁', 6],
    ['大的十岁小的六岁', undefined],
  ])('a child age: "%s" is %s', (text, expected) => {
    expect(read('school', 'childAge', text)).toBe(expected)
  })

  it.each([
    ['是', true], ['有的呀', true], ['有一辆', true], ['小汽车有一辆', true], ['yes we have one', true], ['没有', false], ['没得', false],
    ['冇得', false], ['冇有', false], ['冇', false], ['莫得', false], ['不得', false], ['木有', false], ['俺家没有', false], ['还没有', false],
    ['没得车', false], ['车是没有的', false], ['有辆三轮车', false], ['就一辆电动车', false], ['没有，就一辆摩托', false], ['we do not have a car', false],
    ['有个老人残疾了', undefined], ['对了，看病能报销吗', undefined], ['有个事想问下', undefined], ['不知道', undefined], ['香蕉', undefined],
  ])('the car question: "%s" is %s', (text, expected) => {
    expect(read('dibao', 'car', text)).toBe(expected)
  })

  it('reads yes and no by the question: a subject named, the stronger clause, phrases that start like a no', () => {
    expect(read('dibao', 'vulnerablePerson', '有个老人残疾了')).toBe(true)
    expect(read('dibao', 'canWork', '干不了活了')).toBe(false)
    expect(read('dibao', 'ableSupporter', '老伴走了，没儿没女')).toBe(false)
    expect(read('training', 'wantsTraining', '没问题')).toBe(true)
    expect(read('training', 'hiresResidents', '招了十几个搬迁户')).toBe(true)
    expect(read('school', 'hukouMoved', '早就迁过来了')).toBe(true)
    expect(read('school', 'hukouMoved', '还没迁')).toBe(false)
  })

  it.each([
    ['在上高一了', 'senior'], ['读六年级', 'primary'], ['七年级', 'junior'], ['初二', 'junior'], ['没上幼儿园', 'none'], ['中专', 'vocational'],
    ['幼儿园大班', 'kindergarten'], ['she is in grade 4', 'primary'], ['junior', 'junior'], ['上学了', undefined], ['大学', undefined],
  ])('the school stage: "%s" is %s', (text, expected) => {
    expect(read('school', 'currentStage', text)).toBe(expected)
  })

  it('tells side questions, corrections, resume words and cancel phrases apart', () => {
    const words = kb.answerWords
    const plain = normaliseAnswer
    expect(asksQuestion(plain('有个事想问下，看病能报销吗？'), words, 'strong')).toBe(true)
    expect(asksQuestion(plain('能报销吗'), words, 'strong')).toBe(true)
    expect(asksQuestion(plain('孩子上学的事找谁'), words, 'weak')).toBe(true)
    expect(asksQuestion(plain('还没呢'), words, 'strong')).toBe(false)
    expect(correctionOf(plain('不对，说错了，是五口人'), words)).toEqual({ rest: '五口人' })
    expect(correctionOf(plain('三口人'), words)).toBeUndefined()
    expect(meansResume(plain('接着做'), words)).toBe(true)
    expect(meansResume(plain('继续吧'), words)).toBe(true)
    expect(meansCancel(plain('算了，不测了'), words, kb.words.cancel)).toBe(true)
    expect(meansCancel(plain('没有'), words, kb.words.cancel)).toBe(false)
  })
})
