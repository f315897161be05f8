CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text,
	`topic` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_org_idx` ON `events` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `label_import_lines` (
	`task_id` text NOT NULL,
	`line` integer NOT NULL,
	`data_row_ref` text NOT NULL,
	`payload` text NOT NULL,
	PRIMARY KEY(`task_id`, `line`)
);
--> statement-breakpoint
CREATE INDEX `label_import_lines_ref_idx` ON `label_import_lines` (`task_id`,`data_row_ref`,`line`);--> statement-breakpoint
CREATE TABLE `labels` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`data_row_id` text NOT NULL,
	`created_by` text NOT NULL,
	`annotations` text NOT NULL,
	`annotation_count` integer DEFAULT 0 NOT NULL,
	`seconds_to_create` real DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT false NOT NULL,
	`imported` integer DEFAULT false NOT NULL,
	`import_key` text,
	`review_state` text DEFAULT 'UNREVIEWED' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `labels_project_idx` ON `labels` (`project_id`,`id`);--> statement-breakpoint
CREATE INDEX `labels_row_idx` ON `labels` (`project_id`,`data_row_id`);--> statement-breakpoint
CREATE INDEX `labels_author_idx` ON `labels` (`project_id`,`created_by`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `labels_import_uq` ON `labels` (`project_id`,`data_row_id`,`import_key`);--> statement-breakpoint
CREATE TABLE `project_feature_counts` (
	`project_id` text NOT NULL,
	`feature_schema_id` text NOT NULL,
	`answer_schema_id` text NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`answer` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`project_id`, `feature_schema_id`, `answer_schema_id`, `user_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `project_label_days` (
	`project_id` text NOT NULL,
	`day` text NOT NULL,
	`user_id` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`project_id`, `day`, `user_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `project_member_stats` (
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`labels` integer DEFAULT 0 NOT NULL,
	`skips` integer DEFAULT 0 NOT NULL,
	`seconds_total` real DEFAULT 0 NOT NULL,
	`last_label_at` integer,
	PRIMARY KEY(`project_id`, `user_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`label_id` text NOT NULL,
	`project_id` text NOT NULL,
	`score` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`label_id`) REFERENCES `labels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_label_reviewer_uq` ON `reviews` (`label_id`,`created_by`);--> statement-breakpoint
CREATE TABLE `usage_facts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`day` text NOT NULL,
	`asset_type` text NOT NULL,
	`imported` integer NOT NULL,
	`annotations` integer NOT NULL,
	`labels` integer NOT NULL,
	`seconds_total` real NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_facts_org_idx` ON `usage_facts` (`org_id`,`id`);--> statement-breakpoint
ALTER TABLE `projects` ADD `reviews_accepted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `reviews_declined` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `reviews_ambiguous` integer DEFAULT 0 NOT NULL;