import type { FastifyRequest } from 'fastify'
import type { DemandDesk } from '../../src/assistant'
import { AnjuError } from '../../src/core/errors'
import type { StaffMember } from '../../src/escalation/staff'

/**
 * The staff member behind `Authorization: Bearer <token>`, or behind the staff console's session cookie
 * (checked, CSRF included, by the console's hook); 401 without either.
 */
export function staffFrom(desk: DemandDesk, request: FastifyRequest): StaffMember {
  const header = request.headers.authorization
  const member = header ? desk.staff.authenticate(header.startsWith('Bearer ') ? header.slice(7).trim() : undefined) : request.consoleSession?.member
  if (!member) throw new AnjuError('ANJU_ERR_UNAUTHORIZED')
  return member
}
