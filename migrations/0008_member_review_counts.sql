ALTER TABLE `project_member_stats` ADD `reviews_accepted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `project_member_stats` ADD `reviews_declined` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `project_member_stats` ADD `reviews_ambiguous` integer DEFAULT 0 NOT NULL;