/** @module The caller's IP as Cloudflare reports it (local dev: loopback). */
import type { Context } from 'hono'
export const clientIp = (c: Context) => c.req.header('CF-Connecting-IP') ?? c.req.header('X-Real-IP') ?? '127.0.0.1'
