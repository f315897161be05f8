// Generated permission tests for every dataset and data-row route (HTML and JSON).
import { permissionSuite } from '../helpers/permission-suite'
import { DATASET_ROUTES } from '../helpers/routes-datasets'

permissionSuite(DATASET_ROUTES)
