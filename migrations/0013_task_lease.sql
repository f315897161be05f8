ALTER TABLE `tasks` ADD `slice_token` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `lease_until` integer;