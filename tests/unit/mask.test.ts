import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/core/logger'
import { maskPersonalData } from '../../src/core/mask'

// Every way a resident or a caseworker writes a personal number, and what must reach a log instead.
const MASKED: [form: string, written: string, masked: string][] = [
  ['mobile', '电话13812345678', '电话138****5678'],
  ['mobile with +86', '打+8613812345678找我', '打+86138****5678找我'],
  ['mobile with 86', '8613812345678', '86138****5678'],
  ['mobile with 0086', '0086 138 1234 5678', '0086 138 **** 5678'],
  ['mobile with +86 and a space', '+86 13812345678', '+86 138****5678'],
  ['mobile with (+86)', '(+86)139-8765-4321', '(+86)139-****-4321'],
  ['mobile in 3-4-4 with spaces', '我的手机 138 1234 5678 谢谢', '我的手机 138 **** 5678 谢谢'],
  ['mobile in 3-4-4 with dashes', '138-1234-5678', '138-****-5678'],
  ['mobile with spaced dashes', 'call 138 - 1234 - 5678', 'call 138 - **** - 5678'],
  ['mobile in 3-8', '138 12345678', '138 ****5678'],
  ['mobile in 7-4', '1381234 5678', '138**** 5678'],
  ['mobile with dots', '138.1234.5678', '138.****.5678'],
  ['mobile in full-width digits', '手机：１３８１２３４５６７８', '手机：１３８****５６７８'],
  ['mobile in full-width with a full-width dash', '１３８－１２３４－５６７８', '１３８－****－５６７８'],
  ['mobile in full-width with ideographic spaces', '１３８\u3000１２３４\u3000５６７８', '１３８\u3000****\u3000５６７８'],
  ['mobile in Chinese numerals, as voice input writes it', '电话幺三八一二三四五六七八', '电话幺三八****五六七八'],
  ['mobile in Chinese numerals with 零 and 〇', '我的号码一三九零〇〇〇四三二一', '我的号码一三九****四三二一'],
  ['mobile mixing numerals and digits', '138一二三四5678', '138****5678'],
  ['ID card in Chinese numerals', '三四〇一〇二一九九〇〇一〇一一二三四', '三四〇一〇二********一二三四'],
  ['mobile right after English', 'tel:13987654321.', 'tel:139****4321.'],
  ['two mobiles side by side', '13812345678 13987654321', '138****5678 139****4321'],
  ['landline with a dash', 'call 0551-62345678', 'call 0551-****5678'],
  ['landline, three-digit area code', '010-12345678', '010-****5678'],
  ['landline with spaces', '0551 6234 5678', '0551 **** 5678'],
  ['landline with brackets', '(0551)62345678', '(0551)****5678'],
  ['landline with full-width brackets', '（０５５１）６２３４５６７８', '（０５５１）****５６７８'],
  ['landline with a seven-digit number', '0738-8312345', '0738-***2345'],
  ['landline with +86, no leading 0', '+86 551 6234 5678', '+86 551 **** 5678'],
  ['landline unbroken', '02187654321', '021****4321'],
  ['ID card', '身份证340102199001011234', '身份证340102********1234'],
  ['ID card with final X', 'id 34010219900101123X.', 'id 340102********123X.'],
  ['ID card with final lower-case x', '34010219900101123x', '340102********123x'],
  ['ID card with spaces 6-8-4', '340102 19900101 1234', '340102 ******** 1234'],
  ['ID card with spaces 6-4-4-4', '340102 1990 0101 123X', '340102 **** **** 123X'],
  ['ID card with dashes', '340102-19900101-1234', '340102-********-1234'],
  ['ID card in full-width with full-width X', '３４０１０２１９９００１０１１２３Ｘ', '３４０１０２********１２３Ｘ'],
  ['first-generation ID card (15)', '340102900101123', '340102******123'],
  ['bank card', '卡号6222021234567890123', '卡号6222***********0123'],
  ['bank card in groups of four', '6222 0212 3456 7890 128', '6222 **** **** ***0 128'],
  ['bank card, 16 digits in groups', '4111-1111-1111-1111', '4111-****-****-1111'],
]

// Numbers that are not personal and must read the same after masking.
const KEPT: [what: string, text: string][] = [
  ['household and income', '家里5口人，每月收入1200元，2024年'],
  ['amounts', '补贴15000元，贷款50,000元，1.5万，￥3,800.50'],
  ['dates', '2026-11-23，2026年11月23日，2026/11/23，20261123'],
  ['a date and time', '2026-11-23T01:00:00.000Z 09:30'],
  ['ticket ids', '工单 T261123-480317、T261123-0007 和 T261123-0123456'],
  ['notice ids', 'N3f9a0c12be45'],
  ['a row of amounts', '每月 1200 1500 1800 2000 元'],
  ['a row of years', '2019 2020 2021 2022 2023'],
  ['clauses', '第3条、第十二条、任务40'],
  ['numerals in words', '一二年搬的家，三四五月份最忙，七八个人一起干活，一三五有集市'],
  ['postal code and floor', '邮编230000，3栋2单元501室'],
  ['an IP address', '192.168.100.200'],
  ['a timestamp', '1795000000000'],
  ['a duty phone that is a service number', '12345 便民热线'],
]

describe('maskPersonalData', () => {
  it.each(MASKED)('masks a %s', (_form, written, masked) => {
    expect(maskPersonalData(written)).toBe(masked)
  })

  it.each(KEPT)('leaves %s alone', (_what, text) => {
    expect(maskPersonalData(text)).toBe(text)
  })

  it('keeps the length and the words around every masked number', () => {
    for (const [, written] of MASKED) expect(maskPersonalData(written)).toHaveLength(written.length)
  })
})

describe('createLogger', () => {
  it('never writes a phone or ID number to the log, in messages, fields or errors', () => {
    const lines: string[] = []
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done() } })
    const logger = createLogger('info', sink)
    logger.info({ text: '我的电话是+86 138-1234-5678', nested: { id: '340102 19900101 1234' } }, 'resident 13987654321 asked')
    logger.error({ err: new Error('could not save 13700001111') }, 'failed')
    const written = lines.join('')
    expect(written).not.toMatch(/1234-5678|19900101|13987654321|13700001111/)
    expect(written).toContain('138-****-5678')
    expect(written).toContain('340102 ******** 1234')
    expect(written).toContain('139****4321')
    expect(written).toContain('137****1111')
  })
})
