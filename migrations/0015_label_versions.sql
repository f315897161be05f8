CREATE TABLE `label_versions` (
	`id` integer PRIMARY KEY NOT NULL,
	`label_id` text NOT NULL,
	`org_id` text NOT NULL,
	`annotations` text NOT NULL,
	`edited_by` text NOT NULL,
	`edited_at` integer NOT NULL,
	FOREIGN KEY (`label_id`) REFERENCES `labels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `label_versions_label_idx` ON `label_versions` (`label_id`,`id`);