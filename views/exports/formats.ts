/** @module What each export format is called and what it is for, in the dialog's and the Tasks
 * menu's words. Typed by src's format union, so a new format does not compile without its words;
 * src takes the labels from here for task names (test/unit/view-lists.test.ts holds the order). */
import type { ExportFormat } from '../../src/modules/exports/schemas'

export const FORMAT_WORDS: Record<ExportFormat, { label: string; help: string; imageProjectsOnly: boolean }> = {
  ndjson: { label: 'NDJSON', imageProjectsOnly: false, help: 'Labelbox export v2 lines: everything, for Labelbox tools and re-imports' },
  coco: {
    label: 'COCO',
    imageProjectsOnly: true,
    help: 'One JSON file of images, categories and boxes/polygons, for detection and segmentation training',
  },
  yolo: { label: 'YOLO', imageProjectsOnly: true, help: 'A zip of Ultralytics label files and data.yaml, for training YOLO models' },
  voc: {
    label: 'Pascal VOC',
    imageProjectsOnly: true,
    help: 'A zip of one XML file per image with its boxes, for older detection tool chains',
  },
  csv: { label: 'CSV', imageProjectsOnly: false, help: 'One line per object or answer, to open in a spreadsheet' },
}

export const FORMAT_CHOICES = Object.keys(FORMAT_WORDS) as ExportFormat[]
