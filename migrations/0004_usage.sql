CREATE TABLE `usage_daily` (
	`org_id` text NOT NULL,
	`day` text NOT NULL,
	`asset_type` text NOT NULL,
	`source` text NOT NULL,
	`annotations` integer DEFAULT 0 NOT NULL,
	`labels` integer DEFAULT 0 NOT NULL,
	`seconds_total` real DEFAULT 0 NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `day`, `asset_type`, `source`)
);
--> statement-breakpoint
CREATE TABLE `usage_daily_breakdown` (
	`org_id` text NOT NULL,
	`day` text NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text NOT NULL,
	`annotations` integer DEFAULT 0 NOT NULL,
	`labels` integer DEFAULT 0 NOT NULL,
	`seconds_total` real DEFAULT 0 NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `day`, `project_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `usage_rollup_state` (
	`id` text PRIMARY KEY NOT NULL,
	`last_fact_id` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
