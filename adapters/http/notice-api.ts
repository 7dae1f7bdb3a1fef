import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { DemandDesk } from '../../src/assistant'
import { NOTICE_ID } from '../../src/broadcast/notice'
import type { NoticeService } from '../../src/broadcast/notice-service'
import { auditRefusals, staffFrom } from './staff-auth'
import { parse } from './validate'

export interface NoticeApiOptions {
  desk: DemandDesk
  broadcast: NoticeService
}

const idParams = z.object({ id: z.string().regex(NOTICE_ID, 'a notice id such as N3f9a0c12be45') })

/**
 * Broadcast notices for staff: create (now or scheduled), preview the audience, list, one with its delivery
 * progress, cancel. Supervisors and admins create and cancel (supervisors for their settlements), caseworkers list
 * and preview; every call is audited by the notice service. Bad notices are 400 with the reasons, field by field.
 */
export async function noticeApi(app: FastifyInstance, { desk, broadcast }: NoticeApiOptions): Promise<void> {
  app.addHook('onError', auditRefusals(desk))
  const staffOf = (request: FastifyRequest) => staffFrom(desk, request)

  app.post('/api/notices', async (request, reply) => {
    const notice = await broadcast.create(staffOf(request), request.body)
    // A notice due now starts at once rather than at the next round of the schedule.
    void broadcast.tick().catch((error: unknown) => request.log.error({ err: error }, 'notices: round failed'))
    return reply.status(201).send(notice)
  })

  app.post('/api/notices/preview', async (request) => broadcast.preview(staffOf(request), request.body))

  app.get('/api/notices', async (request) => ({ notices: await broadcast.list(staffOf(request)) }))

  app.get('/api/notices/:id', async (request) => broadcast.get(staffOf(request), parse(idParams, request.params).id))

  app.post('/api/notices/:id/cancel', async (request) => broadcast.cancel(staffOf(request), parse(idParams, request.params).id))
}
