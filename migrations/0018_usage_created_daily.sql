-- The Organization usage table's data rows, members and projects per day (src/db/schema/usage.ts),
-- so /account/usage reads a row per day of its range instead of counting the base tables.
-- WITHOUT ROWID: the key is the table, so a new day's row is 1 row written, not 2.
CREATE TABLE `usage_created_daily` (
	`org_id` text NOT NULL,
	`day` text NOT NULL,
	`data_rows` integer DEFAULT 0 NOT NULL,
	`members` integer DEFAULT 0 NOT NULL,
	`projects` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Projects and memberships are created one per statement, so a trigger per row is a counter per
-- statement: 1 row written more per project or membership (the upsert of the day's row).
-- Data rows are counted by the INSERT statement's own change count (src/modules/usage/created.ts),
-- not here: a trigger would add 1 row written per imported data row.
CREATE TRIGGER usage_created_projects AFTER INSERT ON projects BEGIN
  INSERT INTO usage_created_daily (org_id, day, projects)
    VALUES (NEW.org_id, strftime('%Y-%m-%d', NEW.created_at / 1000, 'unixepoch'), 1)
    ON CONFLICT (org_id, day) DO UPDATE SET projects = projects + 1;
END;
--> statement-breakpoint
CREATE TRIGGER usage_created_members AFTER INSERT ON memberships BEGIN
  INSERT INTO usage_created_daily (org_id, day, members)
    VALUES (NEW.org_id, strftime('%Y-%m-%d', NEW.created_at / 1000, 'unixepoch'), 1)
    ON CONFLICT (org_id, day) DO UPDATE SET members = members + 1;
END;
--> statement-breakpoint
-- What exists today, once (rows deleted before this migration cannot be counted any more).
INSERT INTO usage_created_daily (org_id, day, data_rows, members, projects)
  SELECT org_id, day, sum(d), sum(m), sum(p) FROM (
    SELECT org_id, strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, 1 AS d, 0 AS m, 0 AS p FROM data_rows
    UNION ALL
    SELECT org_id, strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), 0, 1, 0 FROM memberships
    UNION ALL
    SELECT org_id, strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), 0, 0, 1 FROM projects
  ) WHERE true GROUP BY org_id, day;
