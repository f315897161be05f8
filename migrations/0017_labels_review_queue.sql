-- The review queue: the oldest unreviewed submitted label of a project, and its reviewed skipped
-- labels, read through this index instead of walking the project's labels
-- (src/modules/labels/work-queue.ts).
CREATE INDEX `labels_review_idx` ON `labels` (`project_id`,`skipped`,`review_state`,`id`);
