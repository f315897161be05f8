-- Rows written per label (BENCHMARKS.md): every index is a row written with each label. labels_row_idx
-- (project_id, data_row_id) is the prefix of labels_import_uq, which serves the same lookups;
-- usage_facts_org_idx had no reader (the rollup reads facts by id).
DROP INDEX `labels_row_idx`;--> statement-breakpoint
DROP INDEX `usage_facts_org_idx`;