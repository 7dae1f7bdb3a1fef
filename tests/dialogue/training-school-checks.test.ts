import { describe, expect, it } from 'vitest'
import { useTestAssistant } from '../helpers'
import { residentOf, settle } from './fixture'

describe('the training subsidy and school enrolment pre-checks', () => {
  const workspace = useTestAssistant()

  let n = 0
  const run = async (first: string, answers: string[], locale?: 'en') => {
    const { say, answer } = residentOf(workspace.assistant, `r${n++}`, locale)
    await settle(say)
    await say(first)
    return answer(...answers)
  }

  it.each([
    ['resident, eligible: training and living allowance, where to sign up', ['自己', '是', '35', '愿意', '家政'], ['培训补贴和生活费补助', '县人社局', '家政、养老护理类培训', '✓ 在劳动年龄内']],
    ['resident, not registered: the bureau decides', ['1', '不是', '三十岁', '想', '电商'], ['要由县人社局按规定核定', '✗ 建档立卡脱贫户或搬迁户']],
    ['resident, too old', ['自己', '是', '1950年', '愿意', '技工'], ['按您的年龄可能不符合', '✗ 在劳动年龄内']],
    ['resident, not willing: the kind is not asked', ['自己', '是', '40', '不想'], ['您暂时不想参加', '✗ 有培训意愿']],
    ['employer hiring residents: enterprise training subsidy', ['我们是企业', '有'], ['企业培训补贴', '✓ 企业吸纳了搬迁群众就业']],
    ['employer not hiring residents', ['公司', '没有'], ['暂时可能不符合']],
  ])('training: %s', async (_, answers, expected) => {
    const result = await run('我能领培训补贴吗', answers)
    for (const text of expected) expect(result.text).toContain(text)
    expect(result.text).toContain('这是预先估算，不是审批结果，最终由县人力资源和社会保障局')
  })

  it.each([
    ['kindergarten, hukou moved', ['还没上', '4', '迁了', '不是'], ['要申请的是：幼儿园', '要带的材料：户口簿', '孩子可以在安置地就近申请学位']],
    ['primary transfer, hukou not moved, hardship aid', ['小学', '没有', '是'], ['小学学位', '这是转学', '原户口簿', '可以申请资助']],
    ['grade 6 at twelve stays in primary school', ['她12岁，在读六年级', '迁了', '不是'], ['小学学位', '接着读现在的年级']],
    ['middle school', ['初一', '是', '没有'], ['初中学位']],
    ['too young', ['还没上', '2', '是', '不是'], ['还没到上幼儿园的年龄']],
    ['high school, with student aid', ['在上高一了', '是', '是低保户'], ['高中、中职不是就近分配学位', '国家助学金']],
    ['vocational school', ['读职高', '没迁', '不是'], ['中职（职高、中专、技校）转学', '免学费']],
    ['past compulsory age and not in school: a caseworker', ['没上学', '17', '是', '不是'], ['孩子已过义务教育年龄']],
  ])('school: %s', async (_, answers, expected) => {
    const result = await run('孩子能在这里上学吗', answers)
    for (const text of expected) expect(result.text).toContain(text)
    expect(result.text).toContain('最终由县教育局审核决定')
  })

  it('school in English, with a birth date and a choice button value', async () => {
    const result = await run('/check school', ['junior', 'no', 'yes'], 'en')
    expect(result.text).toContain('Apply for: a middle-school place')
    expect(result.text).toContain('Bring: the household register from your former place')
    expect(result.text).toContain('This is a pre-check, not a decision; County Education Bureau (教育局) decides')
  })

  it('offers the pre-check after the topic answer, and lists the checks for an unknown one', async () => {
    const { say } = residentOf(workspace.assistant, 'offer')
    const answer = await say('培训有补贴吗')
    expect(answer.ctx.outcome.intent).toBe('training_subsidy')
    expect(answer.choices).toContainEqual({ label: '测一测我家能不能申请', value: '/check training' })
    const list = await say('/check nothing')
    expect(list.choices.map((c) => c.value)).toEqual(['/check dibao', '/check school', '/check training'])
  })
})
