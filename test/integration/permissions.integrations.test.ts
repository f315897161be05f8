// Generated permission tests for every integration route (HTML and JSON).
import { permissionSuite } from '../helpers/permission-suite'
import { INTEGRATION_ROUTES } from '../helpers/routes-integrations'

permissionSuite(INTEGRATION_ROUTES)
