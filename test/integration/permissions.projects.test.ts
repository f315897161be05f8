// Generated permission tests for every project route (HTML and JSON).
import { permissionSuite } from '../helpers/permission-suite'
import { PROJECT_ROUTES } from '../helpers/routes-projects'

permissionSuite(PROJECT_ROUTES)
