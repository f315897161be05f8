/** @module POST /api/v1/projects/{id}/exports */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { TaskView } from '../tasks/schemas'
import { doc } from '../../lib/openapi'
import { validate } from '../../lib/validate'
import { ExportInput } from './schemas'
import { startExport } from './service'

/** What each format holds and the choices made where the formats leave them open. */
const FORMATS_DOC = `\`format\` (default \`ndjson\`) picks the file; \`params\` shape NDJSON lines only, \`filters\` apply to every format.

- **ndjson**: one Labelbox export v2 line per data row (application/x-ndjson).
- **coco** (image projects; application/json): \`categories\` are the ontology's object tools, ids 1… in ontology order, \`supercategory\` the tool kind. \`images\` carry \`id\`, \`file_name\`, \`width\`, \`height\`, \`coco_url\` (the row's URL), \`data_row_id\`, \`global_key\`, \`external_id\`. Boxes and polygons are \`annotations\` with \`bbox\` [x, y, w, h], \`area\` (box: w·h; polygon: its shoelace area), \`iscrowd: 0\` and \`segmentation\` ([[x1, y1, …]] for polygons, [] for boxes). Extension fields: an image's \`labeldesk_classifications\` (its answers, Labelbox shape, with \`label_id\`) and \`labeldesk_objects\` (points, lines and masks as stored — masks stay PNG URLs, not RLE); an annotation's \`labeldesk_classifications\` (its nested answers), \`label_id\`, \`feature_id\`.
- **yolo** (image projects; application/zip): \`data.yaml\` (\`names\`: class index = the tool's position in the ontology), \`labels/<stem>.txt\` per image (\`class cx cy w h\` for boxes, \`class x1 y1 …\` for polygons, normalized by the image size), \`images.txt\` (each image's URL) and \`images.csv\` (the file name \`images/<stem>.<ext>\` to save each URL as).
- **voc** (image projects; application/zip): \`Annotations/<stem>.xml\` per image with \`size\` and one \`object\`/\`bndbox\` per box (a polygon is written as its bounding box).
- **csv** (text/csv): a header, then one line per object or answer (nested answers too, \`feature_name\` as a path \`Weather > Rainy > Heavy\`): data row id, global key, external id, row data URL, label id, labeled by, created at, kind, feature name, answer value, box left/top/width/height, and \`points\` (the geometry of other objects as JSON). RFC 4180 quoting, CRLF line ends.

\`<stem>\` is the global key (else external id, else data-row id) without its extension, every character but letters, digits, \`.\`, \`_\` and \`-\` replaced by \`_\`, made unique within the export without regard to case by \`-2\`, \`-3\`… (\`a/b.png\` and \`a_b.png\` → \`a_b\` and \`a_b-2\`). COCO, YOLO and VOC need each image's width and height: rows without them are left out and listed in the task's error report (run "Read image sizes" on the dataset first). For a project whose media type is not IMAGE they are refused with a 400.

Boxes and polygons that reach past the image are clipped to it (0…width × 0…height) in COCO, YOLO and VOC, so YOLO's coordinates stay within 0…1 and \`bbox\`, \`area\`, \`segmentation\` and \`bndbox\` describe the part inside the image; an object wholly outside is left out of YOLO and VOC, and COCO keeps it, as drawn, in the image's \`labeldesk_objects\` with \`outside_image: true\`. NDJSON and CSV keep the geometry as drawn.`

export const exportsApi = new Hono<AppEnv>().post(
  '/projects/:id/exports',
  doc(
    'Exports',
    'Generate an export (NDJSON, COCO, YOLO, Pascal VOC or CSV) as a background task',
    { status: 202, description: 'The export-data-rows task (the running one when the same export is already under way)', schema: TaskView },
    {
      description:
        FORMATS_DOC +
        '\n\nWith params.media_attributes every line carries media_attributes with width, height and mime_type: numbers and a string when known, null when not (POST /datasets/{id}/media-attributes reads unknown image sizes). Uploaded files are linked by https URLs to GET /data-rows/{id}/content signed to open without credentials for 7 days from the start of the export (based on the PUBLIC_URL setting, else the origin of this request); the task metadata and GET /tasks/{id}/result/metadata say so in asset_urls {kind, expires_at, note}.',
    },
  ),
  validate('json', ExportInput),
  async (c) => {
    const { task } = await startExport(ctxOf(c), c.req.param('id'), c.req.valid('json'), new URL(c.req.url).origin)
    c.header('Location', `/api/v1/tasks/${task.id}`)
    return c.json(task, 202)
  },
)
