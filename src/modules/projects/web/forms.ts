/** @module What the /projects pages share (src/modules/projects/web/): how a form's errors are
 * told apart from refusals, what a person may do in the settings, and the project form's parser. */
import type { Context } from 'hono'
import * as v from 'valibot'
import type { AppEnv, Ctx } from '../../../env'
import { AppError } from '../../../lib/errors'
import { issuesToErrors, parse } from '../../../lib/validate'
import { can } from '../../../auth/permissions'
import type { LoadedProject } from '../service'
import { normalizeOntology, OntologyInput, type Ontology } from '../ontology'

export type C = Context<AppEnv>

/** Errors a person can fix in the form; anything else (403, 404 of the project) goes to onError. */
export const isFormError = (e: unknown): e is AppError => e instanceof AppError && (e.code === 'VALIDATION' || e.code === 'CONFLICT')
export const stateOf = (e: AppError) => ({ errors: e.errors, message: e.errors.length ? undefined : e.detail })

/**
 * Parses the project form. When a field outside the ontology fails, the ontology's own rules
 * (unique names, options…) are checked too, so one submit shows every problem at once.
 */
export function parseProjectForm<S extends v.GenericSchema>(
  schema: S,
  data: Record<string, unknown>,
  previous?: Ontology,
): v.InferOutput<S> {
  const r = v.safeParse(schema, data)
  if (r.success) return r.output
  const errors = issuesToErrors(r.issues)
  if (data.ontology !== undefined && !errors.some((e) => e.path.startsWith('ontology'))) {
    try {
      normalizeOntology(parse(OntologyInput, data.ontology), previous)
    } catch (e) {
      if (e instanceof AppError) errors.push(...e.errors)
    }
  }
  throw new AppError('VALIDATION', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors)
}

/** What the person may do in a project's settings: which tabs and controls they see. */
export const perms = (ctx: Ctx, l: LoadedProject) => ({
  canEdit: can(ctx.actor, 'project.edit', { projectRole: l.role }),
  canManageMembers: can(ctx.actor, 'project.manage_members', { projectRole: l.role }),
  canManageData: can(ctx.actor, 'batch.manage', { projectRole: l.role }),
  canDelete: can(ctx.actor, 'project.delete', { projectRole: l.role }),
})
