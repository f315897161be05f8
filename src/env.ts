/** @module Bindings, request variables and the service context shared by every surface. */
import type { Db, Read } from './db/client'
import type { TaskStatus } from './modules/tasks/status-object'
import type { ActorGate } from './auth/optimistic-actor'
import type { Actor } from './auth/actor'
import type { QueueMessage } from './lib/jobs'
import type { RunningTask } from './lib/task-badge'

export type { QueueMessage } from './lib/jobs'

export type Env = {
  DB: D1Database
  /** Task results and error reports. */
  EXPORTS: R2Bucket
  /** Uploaded assets and import manifests. */
  ASSETS_BUCKET: R2Bucket
  TASK_QUEUE: Queue<QueueMessage>
  TASK_DLQ: Queue<QueueMessage>
  TASK_STATUS: DurableObjectNamespace<TaskStatus>
  ASSETS: Fetcher
  PBKDF2_ITERATIONS: string
  /** 'true' allows http and loopback/private webhook targets (local development only). */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: string
  /** DNS-over-HTTPS JSON endpoint the SSRF guard asks where a webhook's host name points;
   * empty = https://cloudflare-dns.com/dns-query. */
  WEBHOOK_DNS_RESOLVER: string
  /** Default seat limit for new organizations; empty = unlimited. */
  SEAT_LIMIT: string
  /** 'false' only where the app is served over plain http (local development): otherwise the
   * session cookie is always `Secure`, whatever URL a request arrived with. */
  SECURE_COOKIES?: string
  /** The platform's AWS identity for IAM delegated access (secrets: `wrangler secret put`). Unset =
   * integrations cannot assume roles, and say so. */
  AWS_ACCESS_KEY_ID?: string
  AWS_SECRET_ACCESS_KEY?: string
  /** Region for STS and for s3:// rows whose URL names none. */
  AWS_REGION: string
  /** Shown to admins for their roles' trust policy. */
  PLATFORM_AWS_ACCOUNT_ID: string
  /** Point STS and S3 at an emulator (path-style URLs then); empty = AWS itself. */
  AWS_ENDPOINT_URL: string
  /** The address people reach this installation at (https://labels.example.com), for links handed
   * out in exports; empty = the origin of the request that started the export. */
  PUBLIC_URL?: string
  /** Secret for signed asset links in exports (src/modules/datasets/asset-urls.ts; `wrangler secret
   * put`). Unset = exports link uploads through the API content route, which then needs a key. */
  ASSET_URL_SECRET?: string
  /** The cost meter (src/db/cost-meter.ts): "off" (production default), "log" or "on" (plus a
   * `Server-Timing` header); `COST_METER_LOG` holds the thresholds over which work is logged. */
  COST_METER?: string
  COST_METER_LOG?: string
}

export type { Actor } from './auth/actor'

export type AppEnv = {
  Bindings: Env
  Variables: {
    requestId: string
    db: Db
    actor: Actor | undefined
    /** Set while a remembered actor awaits confirmation (src/auth/optimistic-actor.ts). */
    gate?: ActorGate
    /** The Tasks badge, when read along with the page's first batch (src/lib/render.tsx). */
    runningTasks?: RunningTask[]
    /** Reads that ride along with the request's first `runReads` batch (src/db/reads.ts). */
    along?: Read<void>[]
  }
}

/** What every service function receives. Tenancy and attribution come from here, never from input. */
export type Ctx = {
  db: Db
  env: Env
  actor: Actor
  requestId: string
  /** Defer work past the response (webhook enqueueing, last-used stamps). */
  waitUntil: (p: Promise<unknown>) => void
  /** The request's remembered actor awaiting confirmation, if any: `readBatch` confirms it. */
  gate?: ActorGate | undefined
  /** Reads the request asked to send with its first batch (a page's Tasks badge). */
  along?: Read<void>[] | undefined
}
