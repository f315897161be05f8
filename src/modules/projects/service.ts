/**
 * @module Projects: create, list (pinned first, then newest; cursor paging; search), read, edit,
 * pin. Access comes from the permission table: `loadProject` resolves the caller's role in the
 * project (404 when they may not see it) and every verb then asks `authorize`.
 */
import { and, desc, eq, getTableColumns, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { projectMembers, projectPins, projects } from '../../db/schema'
import type { OrgRole } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { authorize, projectRole, visibleProjectsWhere, type Action } from '../../auth/permissions'
import { AppError, notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { decodeCursor, encodeCursor, type Page } from '../../lib/pagination'
import { normalizeOntology, removedFeatures } from './ontology'
import { runReads, type Read } from '../../db/reads'
import { foldName } from './name-fold'
import type { CreateProjectInput, ProjectSummary, ProjectView, UpdateProjectInput } from './schemas'

export type ProjectRow = typeof projects.$inferSelect

export type { ProjectSummary, ProjectView }

export const percentComplete = (p: Pick<ProjectRow, 'dataRowCount' | 'labeledCount' | 'skippedCount'>) =>
  p.dataRowCount ? Math.round(((p.labeledCount + p.skippedCount) / p.dataRowCount) * 1000) / 10 : 0

// The HTML list shows projects as ProjectSummary: all but the ontology, which the list never shows
// (the JSON list returns it). Leaving it out spares reading and parsing ~0.6 KB of JSON a row.
type SummaryRow = Omit<ProjectRow, 'ontology' | 'nameFold'>

export function projectSummary(p: SummaryRow, pinned: boolean): ProjectSummary {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    media_type: p.mediaType,
    created_at: iso(p.createdAt)!,
    updated_at: iso(p.updatedAt)!,
    created_by: p.createdBy,
    pinned,
    data_row_count: p.dataRowCount,
    label_count: p.labelCount,
    labeled_count: p.labeledCount,
    skipped_count: p.skippedCount,
    percent_complete: percentComplete(p),
  }
}

export function projectView(p: ProjectRow, pinned: boolean): ProjectView {
  return { ...projectSummary(p, pinned), ontology: p.ontology }
}

/**
 * A project with the caller's role in it. `guard` is set only while reads about the project are
 * built before it is loaded (`loadProjectWith`): an SQL condition, true only for a project of the
 * caller's organization that is not deleted, that each of those reads ANDs into every statement's
 * WHERE, so that a foreign or deleted id reads nothing at all.
 */
export type LoadedProject = { project: ProjectRow; role: OrgRole; pinned: boolean; guard?: SQL | undefined }

/** The project with the caller's role in it. 404 for another organization's project, a deleted
 * one, or one the caller has no role in; then `authorize(action)` (403 when seen but not allowed). */
export async function loadProject(ctx: Ctx, id: string, action: Action = 'project.view'): Promise<LoadedProject> {
  // Through runReads, so that a page's first read can confirm its remembered actor in the same
  // round trip.
  const [loaded] = await runReads(ctx, projectLookupRead(ctx, id, action))
  return loaded
}

/** `loadProject` as a read. `id` may be SQL (a subquery), for a project known only through another
 * row read in the same batch (a label's project: src/modules/labels/service.ts getLabel). */
export function projectLookupRead(ctx: Ctx, id: string | SQL, action: Action): Read<LoadedProject> {
  // `pinned_at` is aliased: projects has a created_at of its own, and batch results are keyed by
  // column name.
  const stmt = ctx.db
    .select({ p: projects, memberRole: projectMembers.role, pinnedAt: sql<number | null>`${projectPins.createdAt}`.as('pinned_at') })
    .from(projects)
    .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, ctx.actor.userId)))
    .leftJoin(projectPins, and(eq(projectPins.projectId, projects.id), eq(projectPins.userId, ctx.actor.userId)))
    .where(and(eq(projects.id, id), eq(projects.orgId, ctx.actor.orgId), isNull(projects.deletedAt)))
    .limit(1)
  return {
    stmts: [stmt],
    done: ([rows]) => {
      const row = (rows as { p: ProjectRow; memberRole: (typeof projectMembers.$inferSelect)['role'] | null; pinnedAt: number | null }[])[0]
      if (!row) throw notFound('Project')
      const role = projectRole(ctx.actor, row.memberRole)
      authorize(ctx.actor, 'project.view', { projectRole: role }, 'Project')
      if (action !== 'project.view') authorize(ctx.actor, action, { projectRole: role }, 'Project')
      return { project: row.p, role, pinned: row.pinnedAt != null }
    },
  }
}

/**
 * `loadProject(ctx, id, action)` and reads about that project, in one D1 round trip instead of
 * two (the dashboard: the project, then its numbers, chart and activity). The reads are built
 * before the project is loaded, from a stand-in that holds its id, the caller's role in it and
 * `guard`, and they see the loaded project once their rows are in (`done`).
 *
 * Only for members of the organization: their role in any of its projects is their org role,
 * known before loading. A project-based member's role comes from the project's members, so for
 * them (and only them) it stays two trips. Reads made for a project that then turns out to be
 * refused (403) are dropped; `guard` keeps them from reading another organization's data.
 */
export async function loadProjectWith<T extends unknown[]>(
  ctx: Ctx,
  id: string,
  action: Action,
  reads: (loaded: LoadedProject) => { [K in keyof T]: Read<T[K]> },
): Promise<[LoadedProject, ...T]> {
  if (ctx.actor.role === 'NONE') {
    const loaded = await loadProject(ctx, id, action)
    return [loaded, ...(await runReads<T>(ctx, ...reads(loaded)))]
  }
  const guard = sql`EXISTS (SELECT 1 FROM ${projects} WHERE ${projects.id} = ${id} AND ${projects.orgId} = ${ctx.actor.orgId} AND ${projects.deletedAt} IS NULL)`
  // Until the project is loaded, only its id is known: a builder that reads any other field (to
  // build a statement) is a bug, and says so instead of getting `undefined`.
  let ready = false
  const project = new Proxy({ id } as ProjectRow, {
    get: (t, k, r) => {
      if (!ready && k !== 'id' && typeof k === 'string')
        throw new Error(`loadProjectWith: project.${k} read before the project is loaded (read it in \`done\`)`)
      return Reflect.get(t, k, r)
    },
  })
  const loaded: LoadedProject = { project, role: ctx.actor.role, pinned: false, guard }
  const lookup = projectLookupRead(ctx, id, action)
  // runReads hands each read its rows in order: the lookup's `done` runs first (and throws for a
  // foreign id or a refused action), so the others' `done` see the loaded project. It is filled
  // into the stand-in's own `project` object, which builders may have kept a reference to.
  const fill = (rows: unknown[][]) => {
    const got = lookup.done(rows)
    Object.assign(project, got.project)
    ready = true
    Object.assign(loaded, { role: got.role, pinned: got.pinned, guard: undefined })
  }
  const [, ...rest] = await runReads<[void, ...T]>(ctx, { stmts: lookup.stmts, done: fill }, ...reads(loaded))
  return [loaded, ...(rest as T)]
}

/** A project id, or the result of `loadProject(ctx, id)` for the same caller (access already checked). */
export type ProjectRef = string | LoadedProject

/** One read about a project given by id or already loaded; by id, the project is loaded (and
 * access checked) in the same round trip. */
export async function readProject<T>(ctx: Ctx, ref: ProjectRef, read: (loaded: LoadedProject) => Read<T>): Promise<T> {
  if (typeof ref !== 'string') return (await runReads(ctx, read(ref)))[0]
  const [, answer] = await loadProjectWith<[T]>(ctx, ref, 'project.view', (loaded) => [read(loaded)])
  return answer
}

export async function createProject(ctx: Ctx, input: CreateProjectInput): Promise<ProjectView> {
  authorize(ctx.actor, 'project.create')
  const now = new Date()
  const row: ProjectRow = {
    id: newId('prj'),
    orgId: ctx.actor.orgId,
    name: input.name,
    nameFold: foldName(input.name),
    description: input.description,
    mediaType: input.media_type,
    ontology: normalizeOntology(input.ontology),
    createdBy: ctx.actor.userId,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    dataRowCount: 0,
    labelCount: 0,
    labeledCount: 0,
    skippedCount: 0,
    reviewsAccepted: 0,
    reviewsDeclined: 0,
    reviewsAmbiguous: 0,
  }
  await ctx.db.insert(projects).values(row)
  return projectView(row, false)
}

export async function getProject(ctx: Ctx, id: string): Promise<ProjectView> {
  const { project, pinned } = await loadProject(ctx, id)
  return projectView(project, pinned)
}

/**
 * Edits name, description and ontology. Adding features is always safe; a feature that labels use
 * cannot be removed (`featuresInUse`, provided by the labels module once labels exist).
 */
export async function updateProject(
  ctx: Ctx,
  id: string,
  input: UpdateProjectInput,
  featuresInUse?: (projectId: string, ids: string[]) => Promise<{ id: string; count: number }[]>,
): Promise<ProjectView> {
  const { project, pinned } = await loadProject(ctx, id, 'project.edit')
  const next: Partial<ProjectRow> = { updatedAt: new Date() }
  if (input.name !== undefined) {
    next.name = input.name
    next.nameFold = foldName(input.name)
  }
  if (input.description !== undefined) next.description = input.description
  if (input.ontology !== undefined) {
    const ontology = normalizeOntology(input.ontology, project.ontology)
    const removed = removedFeatures(project.ontology, ontology)
    if (removed.length && featuresInUse) {
      const used = await featuresInUse(
        project.id,
        removed.map((f) => f.feature_schema_id),
      )
      if (used.length) {
        const names = used.map(
          (u) => `“${removed.find((f) => f.feature_schema_id === u.id)?.path}” (${u.count} annotation${u.count === 1 ? '' : 's'})`,
        )
        throw new AppError(
          'CONFLICT',
          `These features are used by labels and cannot be removed: ${names.join(', ')}. Delete those annotations first, or keep the features.`,
          [{ path: 'ontology', message: `In use: ${names.join(', ')}` }],
        )
      }
    }
    next.ontology = ontology
  }
  await ctx.db.update(projects).set(next).where(eq(projects.id, project.id))
  return projectView({ ...project, ...next }, pinned)
}

export async function setPinned(ctx: Ctx, id: string, pinned: boolean): Promise<void> {
  const { project } = await loadProject(ctx, id, 'project.pin')
  if (pinned)
    await ctx.db
      .insert(projectPins)
      .values({ userId: ctx.actor.userId, projectId: project.id, createdAt: new Date() })
      .onConflictDoNothing()
  else await ctx.db.delete(projectPins).where(and(eq(projectPins.userId, ctx.actor.userId), eq(projectPins.projectId, project.id)))
}

/**
 * Searches of at least this many characters go through the trigram index (`projects_fts`,
 * migrations/0010_projects_fts.sql); trigrams cannot match fewer.
 */
export const FTS_MIN_CHARS = 3
/**
 * Above this many trigram matches (in the whole database), a search walks the organization's
 * projects newest first instead of starting from the matches: the first page then fills after a
 * few hundred projects, while fetching and sorting every match would cost more the commoner the
 * term. Below it, starting from the matches reads at most this many projects.
 */
export const FTS_COMMON_MATCHES = 1000

/** An FTS5 query for `term` as one phrase: a trigram phrase matches exactly the names that contain
 * the term (case-folded), whatever operators or quotes the person typed. */
export const ftsPhrase = (term: string) => `"${term.replace(/"/g, '""')}"`

/**
 * The projects the caller may see: pinned first (pins are personal), then newest first. Search is
 * a case-insensitive substring of the name. Two keyset phases share one opaque cursor, so paging
 * never uses OFFSET and stays fast with 100k projects.
 *
 * One D1 round trip per page: the statements of a page go out as one batch (`runReads`; each is
 * cheap, the per-request cost of a local or remote D1 call is what adds up).
 */
type ListQuery = { limit: number; cursor?: string | undefined; search?: string | undefined }

/** A project for the JSON list: its ontology as the JSON text stored, to be written into the answer
 * as is (`projectsPageJson`). */
export type ProjectJsonRow = ProjectSummary & { ontologyJson: string }

/** The projects the caller may see: pinned first, then newest first. `summary` leaves the ontology
 * out; `json` keeps it as stored text. */
export function listProjects(ctx: Ctx, q: ListQuery): Promise<Page<ProjectView>>
export function listProjects(ctx: Ctx, q: ListQuery, shape: 'summary'): Promise<Page<ProjectSummary>>
export function listProjects(ctx: Ctx, q: ListQuery, shape: 'json'): Promise<Page<ProjectJsonRow>>
export async function listProjects(
  ctx: Ctx,
  q: ListQuery,
  shape: 'full' | 'summary' | 'json' = 'full',
): Promise<Page<ProjectView | ProjectSummary | ProjectJsonRow>> {
  return (await runReads(ctx, projectsPageRead(ctx, q, shape)))[0]
}

/**
 * `JSON.stringify` of the page as `Page<ProjectView>`, the same text, without parsing each
 * project's ontology only to print it again: the stored text (written by JSON.stringify, compact) is
 * put in as is. A page of 50 projects is ~50 KB of which ~70% is ontologies; parsing and printing
 * them was most of the JSON list's own CPU.
 */
export function projectsPageJson(page: Page<ProjectJsonRow>): string {
  const items = page.items.map(({ ontologyJson, ...summary }) => `${JSON.stringify(summary).slice(0, -1)},"ontology":${ontologyJson}}`)
  return `{"items":[${items.join(',')}],"next_cursor":${JSON.stringify(page.next_cursor)}}`
}

/** `listProjects` as a read, to share a round trip with a page's other reads (src/db/reads.ts). */
export function projectsPageRead(ctx: Ctx, q: ListQuery, shape: 'summary'): Read<Page<ProjectSummary>>
export function projectsPageRead(
  ctx: Ctx,
  q: ListQuery,
  shape: 'full' | 'summary' | 'json',
): Read<Page<ProjectView | ProjectSummary | ProjectJsonRow>>
export function projectsPageRead(
  ctx: Ctx,
  q: ListQuery,
  shape: 'full' | 'summary' | 'json' = 'full',
): Read<Page<ProjectView | ProjectSummary | ProjectJsonRow>> {
  const cur = decodeCursor(
    q.cursor,
    (k) =>
      k.length === 2 &&
      (k[0] === 'p' || k[0] === 'u') &&
      ((typeof k[1] === 'string' && k[1].length <= 200) || (k[0] === 'u' && k[1] === null)),
  ) as ['p' | 'u', string | null] | undefined
  const phase = cur?.[0] ?? 'p'
  const after = cur?.[1]
  const where: SQL[] = [visibleProjectsWhere(ctx.actor)]
  // instr() over the folded name: substring match without LIKE's wildcards or D1's 50-byte pattern
  // limit. It stays the definition of a match on every path; the trigram index only narrows the
  // candidates (its Unicode case folding matches toLowerCase()'s for the same text). Names not
  // folded yet (name_fold NULL, see name-fold.ts) fall back to SQLite's ASCII-only lower().
  if (q.search) where.push(sql`instr(coalesce(${projects.nameFold}, lower(${projects.name})), ${foldName(q.search)}) > 0`)
  const pinJoin = and(eq(projectPins.projectId, projects.id), eq(projectPins.userId, ctx.actor.userId))
  const { ontology, nameFold, ...summaryColumns } = getTableColumns(projects)
  // The stored text, unparsed (aliased: batch rows are keyed by column name).
  const jsonColumns = { ...summaryColumns, ontologyJson: sql<string>`${projects.ontology}`.as('ontology_json') }
  const cols = shape === 'full' ? projects : shape === 'json' ? jsonColumns : summaryColumns
  const view = (p: ProjectRow | SummaryRow, pinned: boolean) =>
    shape === 'full'
      ? projectView(p as ProjectRow, pinned)
      : shape === 'json'
        ? { ...projectSummary(p, pinned), ontologyJson: (p as SummaryRow & { ontologyJson: string }).ontologyJson }
        : projectSummary(p, pinned)

  // The person's pins drive the pinned phase (a handful, through the pins' primary key), never a
  // walk over the organization's projects.
  const pinnedQuery = (limit: number) =>
    ctx.db
      .select({ p: cols })
      .from(projects)
      .where(
        and(
          ...where,
          sql`${projects.id} IN (SELECT ${projectPins.projectId} FROM ${projectPins} WHERE ${projectPins.userId} = ${ctx.actor.userId})`,
          after ? lt(projects.id, after) : undefined,
        ),
      )
      .orderBy(desc(projects.id))
      .limit(limit)
  const restWhere = (...extra: (SQL | undefined)[]) =>
    and(...where, isNull(projectPins.projectId), phase === 'u' && after ? lt(projects.id, after) : undefined, ...extra)
  const walk = (limit: number | SQL) =>
    ctx.db
      .select({ p: cols })
      .from(projects)
      .leftJoin(projectPins, pinJoin)
      .where(restWhere())
      .orderBy(desc(projects.id))
      .limit(limit as number)

  /** The unpinned phase: `room + 1` rows, newest first. */
  const restQueries = (room: number) => {
    if (!q.search || [...q.search].length < FTS_MIN_CHARS) return [walk(room + 1)]
    // Two statements, of which exactly one returns rows: SQLite evaluates the LIMIT before reading
    // anything, so the other costs only the capped count of matches. A rare term starts from its
    // matches in the trigram index (CROSS JOIN keeps that order); a common one walks the
    // organization's projects newest first and stops at the first page.
    const phrase = ftsPhrase(q.search)
    const matches = sql`(SELECT count(*) FROM (SELECT 1 FROM projects_fts WHERE projects_fts MATCH ${phrase} LIMIT ${FTS_COMMON_MATCHES}))`
    const rare = ctx.db
      .select({ p: cols })
      .from(sql`projects_fts`)
      .crossJoin(projects)
      .leftJoin(projectPins, pinJoin)
      .where(restWhere(sql`projects_fts MATCH ${phrase}`, sql`${projects}.rowid = projects_fts.rowid`))
      .orderBy(desc(projects.id))
      .limit(sql`CASE WHEN ${matches} < ${FTS_COMMON_MATCHES} THEN ${room + 1} ELSE 0 END` as unknown as number)
    const common = walk(sql`CASE WHEN ${matches} >= ${FTS_COMMON_MATCHES} THEN ${room + 1} ELSE 0 END`)
    return [rare, common]
  }

  type Row = { p: SummaryRow }
  const items: (ProjectView | ProjectSummary | ProjectJsonRow)[] = []
  if (phase === 'p') {
    return {
      stmts: [pinnedQuery(q.limit + 1), ...restQueries(q.limit)],
      done: ([first, ...others]) => {
        const pinned = first as Row[]
        const rest = others.flat() as Row[]
        if (pinned.length > q.limit) {
          const kept = pinned.slice(0, q.limit)
          return { items: kept.map((r) => view(r.p, true)), next_cursor: encodeCursor(['p', kept[kept.length - 1]!.p.id]) }
        }
        items.push(...pinned.map((r) => view(r.p, true)))
        return finish(items, rest, q.limit - items.length, view)
      },
    }
  }
  return { stmts: restQueries(q.limit), done: (results) => finish(items, results.flat() as Row[], q.limit, view) }
}

/** Appends up to `room` unpinned rows (fetched newest first, `limit + 1` of them) and the cursor. */
function finish<V>(items: V[], rest: { p: SummaryRow }[], room: number, view: (p: SummaryRow, pinned: boolean) => V): Page<V> {
  const more = rest.length > room
  const kept = rest.slice(0, room)
  items.push(...kept.map((r) => view(r.p, false)))
  return { items, next_cursor: more ? encodeCursor(['u', kept.length ? kept[kept.length - 1]!.p.id : null]) : null }
}
