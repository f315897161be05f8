-- Member search (name or email, a case-insensitive substring) through a trigram index, as project
-- search does (migrations/0010_projects_fts.sql): instr() alone read every member of the
-- organization when the term was rare. Terms of 3 or more characters start from the index; shorter
-- ones walk the organization's members newest first (src/modules/orgs/member-search.ts).
--
-- External content: the index stores only trigrams and reads names and emails from `users` by its
-- implicit rowid (stable in D1, which cannot VACUUM; a copy that changes rowids must run the
-- 'rebuild' below again). A person belongs to one organization; the index spans all of them and a
-- match is kept only through the caller's membership.
CREATE VIRTUAL TABLE users_fts USING fts5(full_name, email, content='users', tokenize='trigram');
--> statement-breakpoint
INSERT INTO users_fts(users_fts) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
  INSERT INTO users_fts(rowid, full_name, email) VALUES (NEW.rowid, NEW.full_name, NEW.email);
END;
--> statement-breakpoint
-- External-content deletes must name the old values exactly: the index removes those trigrams.
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
  INSERT INTO users_fts(users_fts, rowid, full_name, email) VALUES ('delete', OLD.rowid, OLD.full_name, OLD.email);
END;
--> statement-breakpoint
-- Only a change of name or email rewrites the entry: a password change or a sign-in writes nothing more.
CREATE TRIGGER users_fts_update AFTER UPDATE OF full_name, email ON users
WHEN NEW.full_name IS NOT OLD.full_name OR NEW.email IS NOT OLD.email BEGIN
  INSERT INTO users_fts(users_fts, rowid, full_name, email) VALUES ('delete', OLD.rowid, OLD.full_name, OLD.email);
  INSERT INTO users_fts(rowid, full_name, email) VALUES (NEW.rowid, NEW.full_name, NEW.email);
END;
