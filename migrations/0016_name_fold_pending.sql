-- The projects whose name the cron has still to fold (src/modules/projects/name-fold.ts): its
-- lookup reads these through this index instead of walking every project on each run.
CREATE INDEX `projects_name_fold_pending_idx` ON `projects` (`name_fold`) WHERE name_fold IS NULL;
