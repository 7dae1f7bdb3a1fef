import type { TicketLocation } from '../escalation/ticket'

// Numbers as residents type them: digits (full-width become half-width first) or Chinese numerals.
const NUMBER = '[0-9一二三四五六七八九十百零两〇]+'
const BUILDING = new RegExp(`(${NUMBER})\\s*(?:号楼|栋|幢|座|号院|楼(?!道|梯|下|上|顶))`)
const UNIT = new RegExp(`(${NUMBER})\\s*单元`)
const ROOM_AFTER = new RegExp(`(?:单元|栋|幢|座|号楼|楼)\\s*(\\d{3,4}|${NUMBER}[室房])`)
const ROOM = /(\d{3,4})\s*(?:室|房|号房?)/
const EN_BUILDING = /\b(?:building|block|bldg\.?)\s*([0-9a-z]+)/i
const EN_UNIT = /\bunit\s*([0-9a-z]+)/i
const EN_ROOM = /\b(?:room|rm\.?|flat|apt\.?|apartment)\s*([0-9a-z-]+)/i

/**
 * The building and room in what a resident wrote: "3栋2单元502", "三号楼502室", "Building 3, room 502".
 * Returns undefined when neither is there.
 * @example findLocation('我住3号楼2单元502') // { building: '3号楼2单元', room: '502' }
 */
export function findLocation(text: string): TicketLocation | undefined {
  const plain = text.normalize('NFKC')
  const chinese = BUILDING.exec(plain)
  const english = chinese ? null : EN_BUILDING.exec(plain)
  const unit = UNIT.exec(plain) ?? EN_UNIT.exec(plain)
  const room = ROOM_AFTER.exec(plain) ?? ROOM.exec(plain) ?? EN_ROOM.exec(plain)
  const parts = [chinese ? chinese[0].replace(/\s+/g, '') : english?.[1], unit?.[0].trim()].filter(Boolean)
  const location: TicketLocation = {
    ...(parts.length ? { building: parts.join(chinese ? '' : ' ') } : {}),
    ...(room ? { room: room[1]!.replace(/[室房]$/, '') } : {}),
  }
  return location.building || location.room ? location : undefined
}
