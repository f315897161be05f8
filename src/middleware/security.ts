/** @module Secure headers. The app's CSP allows only our own scripts and styles; the API docs
 * page (Swagger UI needs inline bootstrapping) gets its own, still same-origin-only, policy. */
import { secureHeaders } from 'hono/secure-headers'
import { except } from 'hono/combine'
import type { Context } from 'hono'

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
