import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assistant } from '../../src/assistant'
import { createTestAssistant, makeTempDir, removeDir } from '../helpers'
import { copyKnowledge, editFile, residentOf, settle } from './fixture'

/** The 低保 / 特困 pre-check on a knowledge copy whose settlements set a standard of 700 元 per person per month. */
describe('the 低保 / 特困 pre-check', () => {
  let dir: string
  let knowledgeDir: string
  let assistant: Assistant
  beforeAll(async () => {
    dir = await makeTempDir()
    knowledgeDir = await copyKnowledge(dir, 700)
    assistant = await createTestAssistant(path.join(dir, 'data'), { KNOWLEDGE_DIR: knowledgeDir })
  })
  afterAll(async () => { await removeDir(dir) })

  const begin = async (id: string) => {
    const resident = residentOf(assistant, id)
    await settle(resident.say)
    return resident
  }

  it('starts from "我家能吃低保吗" and finds a low-income household likely eligible, rule by rule', async () => {
    const { say, answer } = await begin('eligible')
    const first = await say('我家能吃低保吗')
    expect(first.text).toContain('第1问')
    const result = await answer('三口人', '两千块', '没有', '没得', '没有')
    expect(result.text).toContain('很可能符合低保条件')
    expect(result.text).toContain('✓ 家庭人均月收入低于当地低保标准（当地标准：每人每月700元，示例数据')
    expect(result.text).toContain('第25项任务')
    expect(result.text).toContain('这是预先估算，不是审批结果，最终由县民政局')
    expect(result.choices.map((c) => c.value)).toEqual(['/apply dibao', '/check stop'])
    expect(result.ctx.sources.length).toBeGreaterThan(0)
    expect(result.ctx.outcome.intent).toBe('dibao_eligibility')
  })

  it('finds a household above the standard, or with a car, likely not eligible, and says which condition failed', async () => {
    const rich = await begin('rich')
    await rich.say('/check dibao')
    const above = await rich.answer('2', '三千', '没有', '没有', '没有')
    expect(above.text).toContain('可能不符合低保条件')
    expect(above.text).toContain('✗ 家庭人均月收入低于当地低保标准')
    const car = await begin('car')
    await car.say('/check dibao')
    const withCar = await car.answer('4', '1000', '有一辆', '没有', '没有')
    expect(withCar.text).toContain('可能不符合低保条件')
    expect(withCar.text).toContain('✗ 家里没有小汽车')
  })

  it('decides 特困 on its own conditions, beside 低保, and never over a failed test', async () => {
    const alone = await begin('tekun')
    await alone.say('/check dibao')
    const result = await alone.answer('1', '没有收入', '没有', '没有', '有，我七十了', '干不动了', '没有', '没有')
    expect(result.text).toContain('低保：按您说的情况，您家很可能符合低保条件')
    expect(result.text).toContain('特困人员救助供养：这位家人可能符合特困人员救助供养条件')
    for (const line of ['✓ 特困：是60岁以上老人', '✓ 特困：没有劳动能力', '✓ 特困：没有生活来源', '✓ 特困：没有法定赡养']) expect(result.text).toContain(line)
    const earning = await begin('tekun-income')
    await earning.say('/check dibao')
    const both = await earning.answer('2', '五千', '没有', '没有', '有', '不能', '没有', '没有')
    expect(both.text).toContain('低保：按您说的情况，您家可能不符合低保条件')
    expect(both.text).toContain('✗ 家庭人均月收入低于当地低保标准')
    expect(both.text).toContain('特困人员救助供养：这位家人可能符合')
    const withVan = await begin('tekun-van')
    await withVan.say('/check dibao')
    const van = await withVan.answer('1', '没有', '有辆面包车', '没有', '有', '不能', '没有', '没有')
    expect(van.text).toContain('特困人员救助供养：这位家人符合特困的人员条件，但家里有小汽车')
    expect(van.text).not.toContain('这位家人可能符合特困人员救助供养条件')
    const supported = await begin('tekun-supported')
    await supported.say('/check dibao')
    expect((await supported.answer('3', '1000', '没有', '没有', '有个残疾的孩子', '不能', '没有', '有，我们当父母的养')).text).toContain('一般不属于特困人员')
  })

  it('changes a named answer, or the last one, on "不对，说错了，是…", also after the result', async () => {
    const { say, answer } = await begin('corrects')
    await say('/check dibao')
    await answer('三口', '两千四')
    const corrected = await say('不对，说错了，是五口人')
    expect(corrected.text).toContain('已改为：家庭人口：5')
    expect(corrected.text).toContain('第3问')
    const result = await answer('没有', '没有', '没有')
    expect(result.text).toContain('家庭人口：5；全家每月总收入（元）：2400')
    const redone = await say('说错了，一个月是六千')
    expect(redone.text).toContain('已改为：全家每月总收入（元）：6000')
    expect(redone.text).toContain('可能不符合低保条件')
  })

  it('answers a question of its own without recording it, and goes on at "接着做"; "算了，不测了" cancels', async () => {
    const { say } = await begin('aside')
    await say('/check dibao')
    await say('3')
    await say('两千')
    const aside = await say('有个事想问下，看病能报销吗？')
    expect(aside.ctx.outcome.intent).toBe('medical_access')
    expect(aside.text).toContain('还没做完')
    const resumed = await say('接着做')
    expect(resumed.text).toContain('第3问：家里有没有小汽车')
    expect(resumed.ctx.resident.dialogue?.answers).toEqual({ householdSize: 3, monthlyIncome: 2000 })
    const stranded = await say('有个老人残疾了')
    expect(stranded.text).toContain('没太明白您的回答')
    expect((await say('算了，不测了')).text).toContain('预先估算已取消')
  })

  it('answers a stale button press with the current question and records nothing', async () => {
    const { say } = await begin('stale')
    await say('/check dibao')
    await say('3')
    const carQuestion = await say('两千')
    const carPrompt = carQuestion.ctx.replies.at(-1)!.promptId!
    expect(carPrompt).toMatch(/^check:dibao:car:\d+$/)
    await say('否')
    const stale = await assistant.pipeline.handle({ channel: 'test', channelUserId: 'stale', text: '是', button: { value: '是', promptId: carPrompt }, receivedAt: new Date('2025-03-03T02:10:00Z') })
    const text = stale.replies.map((r) => r.text).join('\n')
    expect(text).toContain('那个问题已经答过了')
    expect(text).toContain('除了安置房')
    expect(stale.resident.dialogue?.answers).toMatchObject({ car: false })
    expect(stale.resident.dialogue?.answers.secondHouse).toBeUndefined()
  })

  it('asks again with an example after a bad answer, goes back with 上一步, and cancels with 算了', async () => {
    const { say } = await begin('edits')
    await say('/check dibao')
    const bad = await say('香蕉')
    expect(bad.text).toContain('没太明白您的回答，比如回复“4”或“四口人”')
    expect(bad.ctx.outcome.intent).toBe('dibao_eligibility')
    expect((await say('3')).text).toContain('第2问')
    expect((await say('不知道')).text).toContain('没太明白')
    const back = await say('上一步')
    expect(back.text).toContain('第1问')
    expect((await say('上一步')).text).toContain('已经是第一个问题了')
    expect((await say('4')).text).toContain('第2问')
    expect((await say('算了')).text).toContain('预先估算已取消')
    const after = await say('3')
    expect(after.text).not.toContain('第')
    expect(after.ctx.resident.dialogue).toBeUndefined()
  })

  it('answers a new question asked mid-dialogue and offers to go on', async () => {
    const { say } = await begin('detour')
    await say('/check dibao')
    await say('3')
    const detour = await say('孩子上学怎么办')
    expect(detour.ctx.outcome.intent).toBe('school_enrolment')
    expect(detour.text).toContain('教育局')
    expect(detour.text).toContain('还没做完，要接着做吗')
    expect(detour.choices.map((c) => c.value)).toEqual(['/check continue', '/check stop'])
    const resumed = await say('1')
    expect(resumed.text).toContain('第2问')
    expect((await say('两千')).text).toContain('第3问')
  })

  it('ends an idle pre-check after DIALOGUE_IDLE_MINUTES and says so', async () => {
    const { say, advanceMinutes } = await begin('idle')
    await say('/check dibao')
    await say('3')
    advanceMinutes(31)
    const late = await say('两千')
    expect(late.text).toContain('隔得太久没有继续，已经结束了')
    expect(late.choices.map((c) => c.value)).toContain('/check dibao')
    expect(late.ctx.resident.dialogue).toBeUndefined()
  })

  it('keeps the dialogue across a restart (the state is on the stored profile)', async () => {
    const { say } = await begin('restart')
    await say('/check dibao')
    await say('3')
    await say('两千')
    const restarted = await createTestAssistant(path.join(dir, 'data'), { KNOWLEDGE_DIR: knowledgeDir })
    const again = residentOf(restarted, 'restart', undefined, '2025-03-03T02:01:00Z')
    expect((await again.say('没有')).text).toContain('第4问')
    expect((await again.answer('没有', '没有')).text).toContain('很可能符合低保条件')
  })

  it('raises an application ticket carrying the answers, so the resident never repeats them', async () => {
    const { say, answer } = await begin('apply')
    await say('/check dibao')
    await answer('3', '两千', '没有', '没有', '没有')
    const applied = await say('1')
    expect(applied.text).toContain('工单号')
    const tickets = await assistant.desk!.service.ofResident('test:apply')
    expect(tickets).toHaveLength(1)
    expect(tickets[0]).toMatchObject({ category: 'dibao_eligibility', settlementId: 'xingfu_jiayuan_sample' })
    expect(tickets[0]!.summary).toContain('预先估算：很可能符合')
    expect(tickets[0]!.summary).toContain('家庭人口：3；全家每月总收入（元）：2000')
    expect((await say('/apply dibao')).text).toContain('还没有可以转交的预先估算结果')
  })

  it('speaks English', async () => {
    const { say, answer } = residentOf(assistant, 'english', 'en')
    await settle(say)
    expect((await say('can we get dibao?')).text).toContain('Question 1: How many people')
    expect((await say('lots')).text).toContain('Sorry, I did not understand that answer: for example "4"')
    const result = await answer('3', '2000 yuan', 'no', 'no', 'no')
    expect(result.text).toContain('likely to qualify')
    expect(result.text).toContain('✓ Household income per person per month is below the local 低保 standard (local standard: 700 yuan')
    expect(result.text).toContain('This is a pre-check, not a decision')
    expect(result.choices.map((c) => c.label)).toContain('Ask a caseworker to help me apply')
  })

  it('takes a rule file change without any code change (a county drops the car condition)', async () => {
    const edited = path.join(dir, 'edited')
    const editedKnowledge = await copyKnowledge(edited, 700)
    await editFile(path.join(editedKnowledge, 'eligibility', 'dibao.yaml'), (text) =>
      text.replaceAll('            - { rule: noCar, is: not_met }\n', '').replaceAll('            - { rule: noCar, is: met }\n', ''))
    const county = await createTestAssistant(path.join(edited, 'data'), { KNOWLEDGE_DIR: editedKnowledge })
    const { say, answer } = residentOf(county, 'car-owner')
    await settle(say)
    await say('/check dibao')
    const result = await answer('4', '1000', '有', '没有', '没有')
    expect(result.text).toContain('很可能符合低保条件')
  })
})

describe('the 低保 pre-check on the built-in sample settlements (no standard set)', () => {
  it('needs a caseworker and says the local standard is sample data, not yet set', async () => {
    const dir = await makeTempDir()
    try {
      const assistant = await createTestAssistant(dir)
      const { say, answer } = residentOf(assistant, 'sample')
      await settle(say)
      await say('/check dibao')
      const result = await answer('3', '两千', '没有', '没有', '没有')
      expect(result.text).toContain('现在还判断不了')
      expect(result.text).toContain('？ 家庭人均月收入低于当地低保标准：当地低保标准还没有在系统里设置（目前是示例数据）')
    } finally {
      await removeDir(dir)
    }
  })
})
