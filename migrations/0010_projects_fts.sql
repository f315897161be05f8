-- Project name search through a trigram index. The search is a case-insensitive substring of the
-- name; as instr(lower(name), …) alone it had to read every project of the organization when the
-- term was rare (100k projects: 71 ms in SQLite for one search). FTS5's trigram tokenizer
-- (case-insensitive by default) matches substrings of 3 or more characters from an index; shorter
-- searches keep using instr (src/modules/projects/service.ts listProjects).
--
-- External content: the index stores only trigrams and reads names from `projects` by rowid.
-- `projects` has a text primary key, so its rowid is implicit; that is stable in D1, where VACUUM
-- cannot run (D1 wraps every statement in a transaction). A copy of the database taken outside D1
-- that changes rowids (VACUUM, a dump without them) must run the 'rebuild' below again.
-- Note: `wrangler d1 export` refuses databases with FTS5 tables (workers-sdk #6305); the index is
-- derived data, so an export can drop it and a restore can recreate it with this file.
CREATE VIRTUAL TABLE projects_fts USING fts5(name, content='projects', tokenize='trigram');
--> statement-breakpoint
INSERT INTO projects_fts(projects_fts) VALUES ('rebuild');
--> statement-breakpoint
-- Kept in step with `projects` by the database, whatever path writes it (create, rename, the
-- delete task's final DELETE). A soft-deleted project stays indexed; lists filter deleted_at.
CREATE TRIGGER projects_fts_insert AFTER INSERT ON projects BEGIN
  INSERT INTO projects_fts(rowid, name) VALUES (NEW.rowid, NEW.name);
END;
--> statement-breakpoint
-- External-content deletes must name the old values exactly: the index removes those trigrams.
CREATE TRIGGER projects_fts_delete AFTER DELETE ON projects BEGIN
  INSERT INTO projects_fts(projects_fts, rowid, name) VALUES ('delete', OLD.rowid, OLD.name);
END;
--> statement-breakpoint
CREATE TRIGGER projects_fts_rename AFTER UPDATE OF name ON projects WHEN NEW.name IS NOT OLD.name BEGIN
  INSERT INTO projects_fts(projects_fts, rowid, name) VALUES ('delete', OLD.rowid, OLD.name);
  INSERT INTO projects_fts(rowid, name) VALUES (NEW.rowid, NEW.name);
END;
