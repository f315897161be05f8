CREATE TABLE `label_import_chunks` (
	`task_id` text NOT NULL,
	`chunk` integer NOT NULL,
	`refs` text NOT NULL,
	`lines` text NOT NULL,
	PRIMARY KEY(`task_id`, `chunk`)
);
--> statement-breakpoint
CREATE TABLE `label_import_refs` (
	`task_id` text NOT NULL,
	`data_row_ref` text NOT NULL,
	`chunks` text NOT NULL,
	PRIMARY KEY(`task_id`, `data_row_ref`)
);
--> statement-breakpoint
DROP TABLE `label_import_lines`;