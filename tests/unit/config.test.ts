import { describe, expect, it } from 'vitest'
import { DEFAULTS, loadConfig } from '../../src/config/env'

describe('loadConfig', () => {
  it('uses the named defaults on an empty environment', () => {
    expect(loadConfig({})).toMatchObject({ PORT: DEFAULTS.PORT, HOST: DEFAULTS.HOST, DATA_DIR: DEFAULTS.DATA_DIR, DEFAULT_LOCALE: 'zh-CN' })
  })

  it('reads and coerces values', () => {
    expect(loadConfig({ PORT: '8080', DEFAULT_LOCALE: 'en', LOG_LEVEL: 'debug' })).toMatchObject({ PORT: 8080, DEFAULT_LOCALE: 'en', LOG_LEVEL: 'debug' })
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DEFAULT_LOCALE: 'fr' }, 'DEFAULT_LOCALE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('rejects %o with a message naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: 'ANJU_ERR_CONFIG_INVALID', message: expect.stringContaining(name) }))
  })
})
