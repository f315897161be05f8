// Generated permission tests for labels, reviews, exports, label imports, tasks and the queues.
import { permissionSuite } from '../helpers/permission-suite'
import { LABEL_ROUTES } from '../helpers/routes-labels'

permissionSuite(LABEL_ROUTES)
