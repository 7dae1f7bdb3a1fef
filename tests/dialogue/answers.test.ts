import { describe, expect, it } from 'vitest'
import { parseAge, parseAnswer, parseNumber, parseYesNo } from '../../src/dialogue/answers'
import type { Question } from '../../src/knowledge/check-schema'

const words = {
  yes: ['是', '是的', '对', '有', '想', '愿意', 'yes', 'y', 'yeah'],
  no: ['不', '不是', '没有', '没', '没得', '无', '否', '不想', 'no', 'n', 'none'],
  unsure: ['不知道', '不清楚', "don't know"],
}
const question = (type: Question['type'], extra: Partial<Question> = {}): Question => ({
  slot: 's', type, prompt: { 'zh-CN': '?', en: '?' }, example: { 'zh-CN': 'e', en: 'e' }, label: { 'zh-CN': 'l', en: 'l' }, ...extra,
})
const now = new Date('2025-06-01T00:00:00Z')

describe('reading answers', () => {
  it.each([
    ['3', 3], ['三', 3], ['三口人', 3], ['我家五口', 5], ['十五', 15], ['二十', 20], ['两千', 2000], ['两千块', 2000],
    ['2000元', 2000], ['两千五', 2500], ['一万五', 15000], ['1.5万', 15000], ['1.5千', 1500], ['3千5', 3500],
    ['一百零五', 105], ['一千二百', 1200], ['about 2k', 2000], ['ok 800', 800],
  ])('the number in "%s" is %d', (text, expected) => {
    expect(parseNumber(text)).toBe(expected)
  })

  it('finds no number where there is none', () => {
    expect(parseNumber('不知道')).toBeUndefined()
    expect(parseNumber('ok')).toBeUndefined()
  })

  it.each([
    ['是', true], ['对', true], ['有', true], ['有的呀', true], ['我家有一辆车', true], ['yes', true], ['Yeah', true],
    ['没有', false], ['没', false], ['没得', false], ['没有车', false], ['家里没有', false], ['不是', false], ['否', false], ['No', false],
  ])('"%s" is %s', (text, expected) => {
    expect(parseYesNo(text, words)).toBe(expected)
  })

  it('does not read "不知道" or nonsense as yes or no', () => {
    expect(parseYesNo('不知道', words)).toBeUndefined()
    expect(parseYesNo('香蕉', words)).toBeUndefined()
    expect(parseYesNo("I don't know", words)).toBeUndefined()
  })

  it('reads ages and birth dates on the day of the message', () => {
    expect(parseAge('七岁', now)).toBe(7)
    expect(parseAge('7岁半', now)).toBe(7)
    expect(parseAge('2018年3月', now)).toBe(7)
    expect(parseAge('2018-09', now)).toBe(6)
    expect(parseAge('1990年', now)).toBe(35)
  })

  it('reads amounts, "没有收入" as zero, and refuses what is out of range', () => {
    const amount = question('amount_yuan', { min: 0, max: 1_000_000 })
    expect(parseAnswer(amount, '两千块', words, now)).toBe(2000)
    expect(parseAnswer(amount, '没有收入', words, now)).toBe(0)
    expect(parseAnswer(amount, '不知道', words, now)).toBeUndefined()
    expect(parseAnswer(question('number', { min: 1, max: 30 }), '0', words, now)).toBeUndefined()
    expect(parseAnswer(question('number', { min: 1, max: 30 }), '香蕉', words, now)).toBeUndefined()
  })

  it('reads a choice by value, label or one of its words', () => {
    const choice = question('choice', { options: [
      { value: 'primary', label: { 'zh-CN': '在上小学', en: 'Primary school' }, words: ['小学'] },
      { value: 'junior', label: { 'zh-CN': '在上初中', en: 'Middle school' }, words: ['初中', '初二'] },
    ] })
    expect(parseAnswer(choice, 'junior', words, now)).toBe('junior')
    expect(parseAnswer(choice, '她在读初二', words, now)).toBe('junior')
    expect(parseAnswer(choice, 'primary school', words, now)).toBe('primary')
    expect(parseAnswer(choice, '大学', words, now)).toBeUndefined()
  })
})
