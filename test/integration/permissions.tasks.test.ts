// Generated permission tests for exports, label imports, tasks and their pages, and the account
// fragments of routes-tasks.ts.
import { permissionSuite } from '../helpers/permission-suite'
import { TASK_ROUTES } from '../helpers/routes-labels'
import { ACCOUNT_EXTRA_ROUTES, TASK_PAGE_ROUTES } from '../helpers/routes-tasks'

permissionSuite([...TASK_ROUTES, ...TASK_PAGE_ROUTES, ...ACCOUNT_EXTRA_ROUTES])
