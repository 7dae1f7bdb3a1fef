import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../../../src/core/clock'
import type { WebIdentityRepository } from '../../../src/store/types'

/** 32 random bytes, base64url: what the browser keeps (in an HttpOnly cookie) and shows to prove who it is. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Web chat residents: the server issues a long random token, stores only its hash with a resident id of its own,
 * and finds the resident from the token on every request. The resident id is not a secret (staff see it on
 * tickets) and is never enough to read or act: only the token is.
 */
export class WebIdentities {
  readonly #store: WebIdentityRepository
  readonly #clock: Clock

  constructor(store: WebIdentityRepository, clock: Clock) {
    this.#store = store
    this.#clock = clock
  }

  async issue(): Promise<{ token: string; residentId: string }> {
    const token = randomBytes(32).toString('base64url')
    const residentId = `w${randomBytes(8).toString('hex')}`
    await this.#store.add(hashOf(token), { residentId, createdAt: this.#clock.now().toISOString() })
    return { token, residentId }
  }

  /** The resident a token belongs to; undefined for no token, a malformed one or one this server never issued. */
  async resolve(token: string | undefined): Promise<string | undefined> {
    if (!token || !TOKEN.test(token)) return undefined
    return (await this.#store.get(hashOf(token)))?.residentId
  }
}
