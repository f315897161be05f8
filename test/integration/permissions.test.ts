// Generated permission tests for the core routes (account, API keys, members, datasets list),
// plus the check that every action of the table has route coverage. Project routes run in
// permissions.projects.test.ts.
import { beforeAll, expect, it } from 'vitest'
import { ACTIONS } from '../../src/auth/permissions'
import { seedTwoOrgs } from '../helpers/factories'
import { ALL_ROUTES, LIST_ONLY, NO_ROUTE_YET, ROUTES } from '../helpers/routes'
import { permissionSuite } from '../helpers/permission-suite'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

it('every action of the table has route coverage, or is listed as not routed yet', () => {
  const routed = new Set<string>()
  for (const rc of ALL_ROUTES) {
    routed.add(rc.action(orgs.orgA.ADMIN, { path: '', ownerId: 'someone-else' }))
    routed.add(rc.action(orgs.orgA.ADMIN, { path: '', ownerId: orgs.orgA.ADMIN.id }))
  }
  const missing = ACTIONS.filter((a) => !routed.has(a) && !NO_ROUTE_YET.includes(a) && !LIST_ONLY.includes(a))
  expect(missing).toEqual([])
  expect(NO_ROUTE_YET.filter((a) => routed.has(a))).toEqual([])
})

permissionSuite(ROUTES)
