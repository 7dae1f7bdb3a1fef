import { describe, expect, it } from 'vitest'
import { DEFAULTS, loadConfig } from '../../src/config/env'

describe('loadConfig', () => {
  it('uses the named defaults on an empty environment', () => {
    expect(loadConfig({})).toMatchObject({ PORT: DEFAULTS.PORT, HOST: DEFAULTS.HOST, DATA_DIR: DEFAULTS.DATA_DIR, DEFAULT_LOCALE: 'zh-CN' })
  })

  it('reads the limits and which proxies to trust', () => {
    expect(loadConfig({})).toMatchObject({ CHAT_RATE_BURST: 10, CHAT_RATE_PER_MINUTE: 20, TICKETS_OPEN_PER_RESIDENT: 3, HTTP_RATE_LIMIT_MAX: 600, HTTP_REQUEST_TIMEOUT_MS: 10_000, TRUST_PROXY: false })
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true)
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2)
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.0.0/8' }).TRUST_PROXY).toEqual(['10.0.0.1', '10.0.0.0/8'])
  })

  it('reads and coerces values', () => {
    expect(loadConfig({ PORT: '8080', DEFAULT_LOCALE: 'en', LOG_LEVEL: 'debug' })).toMatchObject({ PORT: 8080, DEFAULT_LOCALE: 'en', LOG_LEVEL: 'debug' })
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DEFAULT_LOCALE: 'fr' }, 'DEFAULT_LOCALE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CHAT_RATE_BURST: '0' }, 'CHAT_RATE_BURST'],
    [{ TICKETS_OPEN_PER_RESIDENT: 'three' }, 'TICKETS_OPEN_PER_RESIDENT'],
    [{ HTTP_REQUEST_TIMEOUT_MS: '5' }, 'HTTP_REQUEST_TIMEOUT_MS'],
    [{ TRUST_PROXY: 'the usual one' }, 'TRUST_PROXY'],
  ])('rejects %o with a message naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: 'ANJU_ERR_CONFIG_INVALID', message: expect.stringContaining(name) }))
  })
})
