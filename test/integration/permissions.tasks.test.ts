// Generated permission tests for exports, label imports and tasks.
import { permissionSuite } from '../helpers/permission-suite'
import { TASK_ROUTES } from '../helpers/routes-labels'

permissionSuite(TASK_ROUTES)
