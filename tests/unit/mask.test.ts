import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/core/logger'
import { maskPersonalData } from '../../src/core/mask'

describe('maskPersonalData', () => {
  it('masks ID-card numbers, keeping region and last four', () => {
    expect(maskPersonalData('身份证340102199001011234')).toBe('身份证340102********1234')
    expect(maskPersonalData('id 34010219900101123X.')).toBe('id 340102********123X.')
  })

  it('masks mobile and landline numbers', () => {
    expect(maskPersonalData('电话13812345678')).toBe('电话138****5678')
    expect(maskPersonalData('call 0551-62345678')).toBe('call 0551-****5678')
  })

  it('leaves ordinary numbers alone', () => {
    expect(maskPersonalData('家里5口人，每月收入1200元，2024年')).toBe('家里5口人，每月收入1200元，2024年')
  })
})

describe('createLogger', () => {
  it('never writes a phone or ID number to the log, in messages or fields', () => {
    const lines: string[] = []
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done() } })
    const logger = createLogger('info', sink)
    logger.info({ text: '我的电话是13812345678', nested: { id: '340102199001011234' } }, 'resident 13987654321 asked')
    const written = lines.join('')
    expect(written).not.toMatch(/13812345678|340102199001011234|13987654321/)
    expect(written).toContain('138****5678')
    expect(written).toContain('340102********1234')
    expect(written).toContain('139****4321')
  })
})
