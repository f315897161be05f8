/** @module Registers every background job with the queue dispatcher (import for side effects). */
import '../modules/projects/delete'
import '../modules/datasets/imports'
import '../modules/datasets/delete'
import '../modules/datasets/media'
import '../modules/exports/service'
import '../modules/labels/imports'
import '../modules/webhooks/delivery'
