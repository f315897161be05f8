/** @module /api/v1/projects … (JSON twins of the Projects pages, same services). */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc, listOf } from '../../lib/openapi'
import { validate } from '../../lib/validate'
import {
  BatchView,
  CreateBatchInput,
  CreateProjectInput,
  ProjectListQuery,
  ProjectMemberInput,
  ProjectMemberView,
  ProjectView,
  UpdateProjectInput,
} from './schemas'
import { createProject, getProject, listProjects, projectsPageJson, setPinned, updateProject } from './service'
import { deleteProject } from './delete'
import { listProjectMembers, removeProjectMember, setProjectMember } from './members'
import { createBatch, deleteBatch, listBatches } from './batches'
import { featuresInUse } from './features-in-use'

export const projectsApi = new Hono<AppEnv>()
  .get(
    '/projects',
    doc('Projects', 'List projects: pinned first, then newest first', { schema: listOf(ProjectView) }),
    validate('query', ProjectListQuery),
    // The same JSON as c.json of the page, with each ontology written as stored (projectsPageJson).
    async (c) =>
      c.body(projectsPageJson(await listProjects(ctxOf(c), c.req.valid('query'), 'json')), 200, { 'Content-Type': 'application/json' }),
  )
  .post(
    '/projects',
    doc('Projects', 'Create a project with its ontology', { status: 201, schema: ProjectView }),
    validate('json', CreateProjectInput),
    async (c) => c.json(await createProject(ctxOf(c), c.req.valid('json')), 201),
  )
  .get('/projects/:id', doc('Projects', 'Get a project', { schema: ProjectView }), async (c) =>
    c.json(await getProject(ctxOf(c), c.req.param('id'))),
  )
  .patch(
    '/projects/:id',
    doc('Projects', 'Edit name, description or ontology (features in use cannot be removed)', { schema: ProjectView }),
    validate('json', UpdateProjectInput),
    async (c) => {
      const ctx = ctxOf(c)
      return c.json(await updateProject(ctx, c.req.param('id'), c.req.valid('json'), featuresInUse(ctx)))
    },
  )
  .delete(
    '/projects/:id',
    doc('Projects', 'Delete a project: 204, or 202 with a task for big projects', { status: 204, description: 'Deleted' }),
    async (c) => {
      const { task } = await deleteProject(ctxOf(c), c.req.param('id'))
      if (!task) return c.body(null, 204)
      c.header('Location', `/api/v1/tasks/${task.id}`)
      return c.json(task, 202)
    },
  )
  .put('/projects/:id/pin', doc('Projects', 'Pin a project (personal)', { status: 204, description: 'Pinned' }), async (c) => {
    await setPinned(ctxOf(c), c.req.param('id'), true)
    return c.body(null, 204)
  })
  .delete('/projects/:id/pin', doc('Projects', 'Unpin a project', { status: 204, description: 'Unpinned' }), async (c) => {
    await setPinned(ctxOf(c), c.req.param('id'), false)
    return c.body(null, 204)
  })
  .get(
    '/projects/:id/members',
    doc('Projects', 'Who has access to the project, and through what', { schema: v.array(ProjectMemberView) }),
    async (c) => c.json(await listProjectMembers(ctxOf(c), c.req.param('id'))),
  )
  .put(
    '/projects/:id/members/:user_id',
    doc('Projects', "Set a project-based member's role in the project", { schema: ProjectMemberView }),
    validate('json', ProjectMemberInput),
    async (c) => c.json(await setProjectMember(ctxOf(c), c.req.param('id'), c.req.param('user_id'), c.req.valid('json'))),
  )
  .delete(
    '/projects/:id/members/:user_id',
    doc('Projects', 'Remove a project-based member from the project', { status: 204, description: 'Removed' }),
    async (c) => {
      await removeProjectMember(ctxOf(c), c.req.param('id'), c.req.param('user_id'))
      return c.body(null, 204)
    },
  )
  .get('/projects/:id/batches', doc('Projects', 'List batches', { schema: v.array(BatchView) }), async (c) =>
    c.json(await listBatches(ctxOf(c), c.req.param('id'))),
  )
  .post(
    '/projects/:id/batches',
    doc(
      'Projects',
      'Attach data rows as a batch (by dataset, data-row ids or global keys)',
      { status: 201, schema: BatchView },
      {
        description:
          'Every row must have the project’s media type: a request naming rows of another type (say 3 TEXT rows for an IMAGE project) is refused whole with 400, the count and the reason in `detail`, and the field (`data_row_ids`, `global_keys` or `dataset_id`) in `errors`; nothing is attached. Rows already in the project are skipped and counted in `skipped`.',
      },
    ),
    validate('json', CreateBatchInput),
    async (c) => c.json(await createBatch(ctxOf(c), c.req.param('id'), c.req.valid('json')), 201),
  )
  .delete(
    '/projects/:id/batches/:batch_id',
    doc('Projects', 'Detach a batch: unlabeled rows leave the queue, labels stay', { status: 204, description: 'Detached' }),
    async (c) => {
      await deleteBatch(ctxOf(c), c.req.param('id'), c.req.param('batch_id'))
      return c.body(null, 204)
    },
  )
