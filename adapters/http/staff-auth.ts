import type { FastifyRequest } from 'fastify'
import type { DemandDesk } from '../../src/assistant'
import { AnjuError } from '../../src/core/errors'
import type { StaffMember } from '../../src/escalation/staff'

/** The staff member behind `Authorization: Bearer <token>`; 401 without a valid token. */
export function staffFrom(desk: DemandDesk, request: FastifyRequest): StaffMember {
  const header = request.headers.authorization
  const member = desk.staff.authenticate(header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined)
  if (!member) throw new AnjuError('ANJU_ERR_UNAUTHORIZED')
  return member
}
