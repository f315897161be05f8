/**
 * @module TaskStatus: one Durable Object per task, the live status of that task. It keeps the
 * latest snapshot (progress, phase, counters) and the worker's slice state (cursor, multipart
 * upload id, part etags…) in its SQLite storage, and pushes every update to browsers connected
 * over WebSocket (hibernation API) or SSE. D1 keeps the durable task record for lists.
 */
import { DurableObject } from 'cloudflare:workers'

export type TaskSnapshot = {
  task_id: string
  status: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'CANCELED'
  completion_percentage: number
  phase: string | null
  /** Counters shown beside the bar ("12,400 / 200,000 rows"). */
  done: number
  total: number | null
  message: string | null
  /** The task stopped making progress and the cron enqueued it again; cleared by its next progress. */
  resuming: boolean
  updated_at: string
}

const encoder = new TextEncoder()

export class TaskStatus extends DurableObject {
  private sse = new Set<WritableStreamDefaultWriter<Uint8Array>>()

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never)
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)')
    })
  }

  private read<T>(k: string): T | null {
    const row = this.ctx.storage.sql.exec<{ v: string }>('SELECT v FROM kv WHERE k = ?', k).toArray()[0]
    return row ? (JSON.parse(row.v) as T) : null
  }
  private write(k: string, value: unknown) {
    this.ctx.storage.sql.exec('INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v', k, JSON.stringify(value))
  }

  /** The latest snapshot, or null before the first update. */
  snapshot(): TaskSnapshot | null {
    return this.read<TaskSnapshot>('snapshot')
  }

  /** Merges a patch into the snapshot, stores it and pushes it to every listener. A finished task
   * (COMPLETE / FAILED / CANCELED) never goes back to running: late or redelivered slices cannot
   * un-finish it. */
  update(patch: Partial<Omit<TaskSnapshot, 'updated_at'>> & { task_id: string }): TaskSnapshot {
    const prev = this.snapshot()
    const finished = prev && ['COMPLETE', 'FAILED', 'CANCELED'].includes(prev.status)
    const next: TaskSnapshot = {
      status: 'QUEUED',
      completion_percentage: 0,
      phase: null,
      done: 0,
      total: null,
      message: null,
      resuming: false,
      ...prev,
      ...(finished ? { task_id: patch.task_id } : patch),
      updated_at: new Date().toISOString(),
    }
    if (finished) return prev
    next.completion_percentage = Math.max(0, Math.min(100, Math.round(next.completion_percentage)))
    this.write('snapshot', next)
    this.broadcast(next)
    return next
  }

  /** Slice state of the worker (opaque JSON). Saved after each slice so a redelivered message or a
   * crashed consumer resumes exactly where the last completed slice ended. */
  cursor<T>(): T | null {
    return this.read<T>('cursor')
  }
  saveCursor(value: unknown): void {
    this.write('cursor', value)
  }

  /**
   * Unique file names for an export's rows (`{id, name}` in row order → the names to use), compared
   * without case (archives are unpacked on case-insensitive disks): a row keeps the name it got
   * before (a slice that runs again gets the same names); of the page's other rows, each whose
   * `name` is free takes it (the first of equal ones winning), then the rest, in row order, the
   * first free `name-2`, `name-3`… With each name comes `n`, the row's claim number: 1, 2, 3… in the
   * order rows were first named, never reused, the same in a slice that runs again. Stems are ASCII
   * (formats.ts baseName), so SQLite's lower() and JavaScript's agree.
   *
   * One page is claimed with two statements whatever its size (it was five per row): an insert of
   * every row under its own name that skips rows already named and names already taken (json_each
   * keeps row order), then one read of the page's names. Only the rows that collided are named one
   * by one; a counter per base name (`name_bases`) keeps many rows of one name linear. Every name
   * `b`, `b-2` … `b-(next-1)` is taken, and names are never given back, so the counter only skips
   * taken names.
   */
  claimNames(entries: { id: string; name: string }[]): { name: string; n: number }[] {
    const sql = this.ctx.storage.sql
    sql.exec('CREATE TABLE IF NOT EXISTS names (row_id TEXT PRIMARY KEY, lower TEXT NOT NULL UNIQUE, name TEXT NOT NULL)')
    sql.exec('CREATE TABLE IF NOT EXISTS name_bases (lower TEXT PRIMARY KEY, next INTEGER NOT NULL)')
    if (!entries.length) return []
    const page = JSON.stringify(entries.map((e) => [e.id, e.name]))
    sql.exec(
      `INSERT OR IGNORE INTO names (row_id, lower, name)
       SELECT value ->> 0, lower(value ->> 1), value ->> 1 FROM json_each(?) ORDER BY key`,
      page,
    )
    const got = new Map<string, { name: string; n: number }>()
    for (const r of sql.exec<{ row_id: string; name: string; n: number }>(
      'SELECT n.row_id, n.name, n.rowid AS n FROM json_each(?) j JOIN names n ON n.row_id = j.value ->> 0',
      page,
    ))
      got.set(r.row_id, { name: r.name, n: r.n })
    return entries.map(({ id, name }) => {
      const own = got.get(id)
      if (own) return own
      const base = name.toLowerCase()
      let n = sql.exec<{ next: number }>('SELECT next FROM name_bases WHERE lower = ?', base).toArray()[0]?.next ?? 1
      let candidate = n === 1 ? name : `${name}-${n}`
      while (sql.exec('SELECT 1 FROM names WHERE lower = ?', candidate.toLowerCase()).toArray().length) candidate = `${name}-${++n}`
      const row = sql
        .exec<{ n: number }>(
          'INSERT INTO names (row_id, lower, name) VALUES (?, ?, ?) RETURNING rowid AS n',
          id,
          candidate.toLowerCase(),
          candidate,
        )
        .one()
      sql.exec('INSERT INTO name_bases (lower, next) VALUES (?, ?) ON CONFLICT(lower) DO UPDATE SET next = excluded.next', base, n + 1)
      return { name: candidate, n: row.n }
    })
  }

  /** Forgets the names once the export's file is complete. */
  dropNames(): void {
    this.ctx.storage.sql.exec('DROP TABLE IF EXISTS names')
    this.ctx.storage.sql.exec('DROP TABLE IF EXISTS name_bases')
  }

  private broadcast(s: TaskSnapshot) {
    const data = JSON.stringify(s)
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(data)
      } catch {
        /* closed */
      }
    }
    const frame = encoder.encode(`event: progress\ndata: ${data}\n\n`)
    for (const w of this.sse) {
      w.write(frame).catch(() => this.sse.delete(w))
      if (['COMPLETE', 'FAILED', 'CANCELED'].includes(s.status)) {
        w.close().catch(() => undefined)
        this.sse.delete(w)
      }
    }
  }

  /** `Upgrade: websocket` → a hibernatable socket; otherwise an SSE stream. Both start with the
   * current snapshot so a late listener is never blank. */
  override async fetch(request: Request): Promise<Response> {
    const current = this.snapshot()
    if (request.headers.get('Upgrade')?.toLowerCase() === 'websocket') {
      const pair = new WebSocketPair()
      const [client, server] = [pair[0], pair[1]]
      this.ctx.acceptWebSocket(server)
      if (current) server.send(JSON.stringify(current))
      return new Response(null, { status: 101, webSocket: client })
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
    const writer = writable.getWriter()
    if (current) void writer.write(encoder.encode(`event: progress\ndata: ${JSON.stringify(current)}\n\n`))
    if (current && ['COMPLETE', 'FAILED', 'CANCELED'].includes(current.status)) void writer.close()
    else this.sse.add(writer)
    return new Response(readable, {
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' },
    })
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    // The only message a client sends is a ping to keep intermediaries from closing the socket.
    if (message === 'ping') ws.send('pong')
  }

  override async webSocketClose(ws: WebSocket, code: number) {
    try {
      ws.close(code, 'closing')
    } catch {
      /* already closed */
    }
  }
}
