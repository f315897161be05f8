/** @module /account/usage (HTML, admins) and /account/usage.csv: thin like the JSON twin — read the
 * range (a preset `?days=` or `?start_date&end_date`, default the last 30 days), call the usage
 * services, render. Non-admins get the services' 403. */
import { Hono, type Context } from 'hono'
import * as v from 'valibot'
import type { AppEnv, Ctx } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { renderPage } from '../../lib/render'
import { issuesToErrors } from '../../lib/validate'
import { authorize } from '../../auth/permissions'
import { PRESETS, UsagePage } from '../../../views/usage/usage-page'
import { UsageRange } from './schemas'
import { labelingBreakdownRead, monthlyUsageRead, usageDayRowsRead, usageUpdatedAtRead } from './service'
import { runReads } from '../../db/reads'

type C = Context<AppEnv>
const DAY_MS = 86_400_000
const today = () => new Date().toISOString().slice(0, 10)
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)

/** The last `n` days including today (GMT): [today − n + 1, tomorrow). */
const lastDays = (n: number): UsageRange => {
  const end = addDays(today(), 1)
  return { start_date: addDays(end, -n), end_date: end }
}

function readRange(c: C): { range: UsageRange; errors?: { path: string; message: string }[]; typed?: { start: string; end: string } } {
  const q = c.req.query()
  const preset = Number(q.days)
  if (q.days !== undefined && PRESETS.includes(preset as never)) return { range: lastDays(preset) }
  if (q.start_date === undefined && q.end_date === undefined) return { range: lastDays(30) }
  const parsed = v.safeParse(UsageRange, { start_date: q.start_date ?? '', end_date: q.end_date ?? '' })
  if (parsed.success) return { range: parsed.output }
  // The page shows the default range; the form keeps what was typed, next to its error.
  return {
    range: lastDays(30),
    errors: issuesToErrors(parsed.issues).map((e) => ({ ...e, message: forPeople(e.message) })),
    typed: { start: q.start_date ?? '', end: q.end_date ?? '' },
  }
}

/** The schema's messages name the API's query fields; the form's labels are "Start" and "End". */
const forPeople = (m: string) => {
  const s = m.replace(/\bstart_date\b/g, 'the start date').replace(/\bend_date\b/g, 'the end date')
  return s.charAt(0).toUpperCase() + s.slice(1)
}

const presetOf = (r: UsageRange) =>
  PRESETS.find((n) => r.end_date === addDays(today(), 1) && r.start_date === addDays(r.end_date, -n)) ?? null

async function load(ctx: Ctx, range: UsageRange) {
  authorize(ctx.actor, 'usage.view')
  // One batch: the page's reads, the confirmation of a remembered actor and the Tasks badge.
  const [days, updatedAt, months, breakdown] = await runReads(
    ctx,
    usageDayRowsRead(ctx, range),
    usageUpdatedAtRead(ctx),
    monthlyUsageRead(ctx, range),
    labelingBreakdownRead(ctx, range),
  )
  const totals = { image: 0, video: 0, text: 0, other: 0, total: 0 }
  for (const d of days) for (const k of ['image', 'video', 'text', 'other', 'total'] as const) totals[k] += d[k]
  return { days, updatedAt, months, breakdown, totals }
}

export const usageWeb = new Hono<AppEnv>()
usageWeb.use('/usage', requireSession)
usageWeb.use('/usage.csv', requireSession)

usageWeb.get('/usage', async (c) => {
  const ctx = ctxOf(c)
  authorize(ctx.actor, 'usage.view')
  const { range, errors, typed } = readRange(c)
  const data = await load(ctx, range)
  return renderPage(c, {
    title: 'Usage',
    section: 'account',
    status: errors ? 422 : 200,
    body: (
      <UsagePage
        start={range.start_date}
        end={range.end_date}
        preset={presetOf(range)}
        errors={errors}
        typed={typed}
        origin={new URL(c.req.url).origin}
        {...data}
      />
    ),
  })
})

/** Spreadsheet-safe CSV cell: quoted when needed; a leading = + - @ cannot start a formula. */
const cell = (x: string | number) => {
  let s = String(x)
  if (typeof x === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

usageWeb.get('/usage.csv', async (c) => {
  const ctx = ctxOf(c)
  authorize(ctx.actor, 'usage.view')
  const parsed = v.safeParse(UsageRange, { start_date: c.req.query('start_date') ?? '', end_date: c.req.query('end_date') ?? '' })
  const range = parsed.success ? parsed.output : c.req.query('start_date') || c.req.query('end_date') ? null : lastDays(30)
  if (!range)
    return c.text(
      `Invalid range: ${issuesToErrors(parsed.success ? [] : parsed.issues)
        .map((e) => e.message)
        .join('; ')}\n`,
      400,
    )
  const { days, months, breakdown } = await load(ctx, range)
  const lines: (string | number)[][] = [
    [
      'section',
      'key',
      'name',
      'image',
      'video',
      'text',
      'other',
      'annotations',
      'labels',
      'data_rows',
      'members',
      'projects',
      'labeling_seconds',
    ],
  ]
  for (const d of days) lines.push(['day', d.date, '', d.image, d.video, d.text, d.other, d.total, '', '', '', '', ''])
  for (const m of months)
    lines.push(['month', m.month, '', '', '', '', '', m.annotations, m.labels, m.data_rows, m.members, m.projects, ''])
  for (const p of breakdown.projects)
    lines.push(['project', p.id, p.name, '', '', '', '', p.annotations, p.labels, '', '', '', p.seconds_total])
  for (const m of breakdown.members)
    lines.push([
      'member',
      m.id,
      m.email ? `${m.name} <${m.email}>` : m.name,
      '',
      '',
      '',
      '',
      m.annotations,
      m.labels,
      '',
      '',
      '',
      m.seconds_total,
    ])
  const body = `${lines.map((l) => l.map(cell).join(',')).join('\r\n')}\r\n`
  return c.body(body, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="usage-${range.start_date}-${range.end_date}.csv"`,
    'Cache-Control': 'no-store',
  })
})
