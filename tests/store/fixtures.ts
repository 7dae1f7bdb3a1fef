import { residentKey, type ResidentProfile } from '../../src/store/types'

/** Resident `n` on Telegram, subscribed, in one of the two sample settlements by parity. */
export const profile = (n: number, overrides: Partial<ResidentProfile> = {}): ResidentProfile => ({
  key: residentKey('telegram', String(n)),
  channel: 'telegram',
  channelUserId: String(n),
  notices: true,
  tags: [],
  blocked: false,
  settlementId: n % 2 ? 'xingfu_jiayuan_sample' : 'anle_xinju_sample',
  createdAt: '2026-11-23T08:00:00.000Z',
  updatedAt: '2026-11-23T08:00:00.000Z',
  ...overrides,
})
