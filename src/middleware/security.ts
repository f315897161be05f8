/** @module Secure headers, and no caching of what a signed-in caller is shown. The app's CSP allows
 * only our own scripts and styles; the API docs page (Swagger UI needs inline bootstrapping) gets
 * its own, still same-origin-only, policy. */
import { secureHeaders } from 'hono/secure-headers'
import { except } from 'hono/combine'
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'

/** Presigned S3 URLs point at AWS (https:, allowed below) or, in development, at an emulator named
 * by AWS_ENDPOINT_URL, whose origin the browser must be allowed to load images and media from. */
const awsEndpoint = (c: Context) => {
  try {
    const url = (c.env as { AWS_ENDPOINT_URL?: string } | undefined)?.AWS_ENDPOINT_URL
    return url ? new URL(url).origin : "'self'"
  } catch {
    return "'self'"
  }
}

const strict = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    // Style attributes only (progress widths, chart colours); <style> elements stay forbidden.
    styleSrcAttr: ["'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:', 'https:', awsEndpoint],
    mediaSrc: ["'self'", 'blob:', 'https:', awsEndpoint],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
    baseUri: ["'self'"],
    objectSrc: ["'none'"],
  },
  referrerPolicy: 'same-origin',
})

export const docsHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", "'unsafe-inline'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
  },
})

export const appSecureHeaders = except(['/api/docs'], strict)

/**
 * Answers to a signed-in caller show private data: no cache (browser, proxy or shared) may keep
 * them. Pages, fragments, JSON and errors get `no-store`; file downloads that chose their own
 * `private` caching (data-row assets, presigned redirects) keep it, as only the browser may store
 * those.
 */
export const privateNoStore = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  if (!c.var.actor) return
  const cache = c.res.headers.get('Cache-Control')
  if (cache && /\bprivate\b|no-store/.test(cache)) return
  c.res.headers.set('Cache-Control', 'no-store')
})
