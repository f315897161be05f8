-- Search folds case with JavaScript's toLowerCase(), stored here, because SQLite's lower() folds
-- ASCII letters only ("ÜBER" would not match "über"). Existing rows stay NULL (search then falls
-- back to lower(name)) until the cron folds them (src/modules/projects/name-fold.ts).
ALTER TABLE `projects` ADD `name_fold` text;
