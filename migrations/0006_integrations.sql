CREATE TABLE `integrations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`provider` text NOT NULL,
	`name` text NOT NULL,
	`role_arn` text,
	`valid` integer,
	`validated_at` integer,
	`last_valid_at` integer,
	`checks` text,
	`is_org_default` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `integrations_org_idx` ON `integrations` (`org_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `integrations_org_default_uq` ON `integrations` (`org_id`) WHERE "integrations"."is_org_default" = 1;--> statement-breakpoint
ALTER TABLE `organizations` ADD `aws_external_id` text;