import type { FastifyInstance } from 'fastify'

/**
 * Headers on every answer. The page loads only its own script, style and icon, and talks only to this server;
 * no other site may frame it (frame-ancestors, and X-Frame-Options for older browsers). Written out rather than
 * taken from @fastify/helmet: helmet's default CSP adds upgrade-insecure-requests, which breaks a settlement
 * server reached over plain http on a local network, and six fixed headers are easier to read than its options.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
}

/** Adds the security headers to every answer of the app (not only of one plugin). */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS)
  })
}
