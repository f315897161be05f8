-- Dashboard counters kept by the database in the same statement as each label or review write,
-- so they stay exact whatever path changed the label (browser, API, import, delete task).

-- A data row counts as labeled once it has a submitted label; as skipped while it only has skips.
CREATE TRIGGER pdr_progress_update AFTER UPDATE OF label_count, skip_count ON project_data_rows BEGIN
  UPDATE projects SET
    labeled_count = labeled_count + (NEW.label_count > 0) - (OLD.label_count > 0),
    skipped_count = skipped_count + (NEW.label_count = 0 AND NEW.skip_count > 0) - (OLD.label_count = 0 AND OLD.skip_count > 0)
  WHERE id = NEW.project_id;
END;
--> statement-breakpoint
CREATE TRIGGER pdr_progress_delete AFTER DELETE ON project_data_rows BEGIN
  UPDATE projects SET
    labeled_count = labeled_count - (OLD.label_count > 0),
    skipped_count = skipped_count - (OLD.label_count = 0 AND OLD.skip_count > 0)
  WHERE id = OLD.project_id;
END;
--> statement-breakpoint
CREATE TRIGGER labels_counters_insert AFTER INSERT ON labels BEGIN
  UPDATE projects SET label_count = label_count + (NOT NEW.skipped) WHERE id = NEW.project_id;
  UPDATE project_data_rows SET label_count = label_count + (NOT NEW.skipped), skip_count = skip_count + NEW.skipped
    WHERE project_id = NEW.project_id AND data_row_id = NEW.data_row_id;
  INSERT INTO project_member_stats (project_id, user_id, labels, skips, seconds_total, last_label_at)
    VALUES (NEW.project_id, NEW.created_by, NOT NEW.skipped, NEW.skipped, NEW.seconds_to_create, NEW.created_at)
    ON CONFLICT (project_id, user_id) DO UPDATE SET labels = labels + (NOT NEW.skipped), skips = skips + NEW.skipped,
      seconds_total = seconds_total + NEW.seconds_to_create, last_label_at = max(coalesce(last_label_at, 0), NEW.created_at);
  INSERT INTO project_label_days (project_id, day, user_id, count)
    SELECT NEW.project_id, date(NEW.created_at / 1000, 'unixepoch'), NEW.created_by, 1 WHERE NOT NEW.skipped
    ON CONFLICT (project_id, day, user_id) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER labels_counters_delete AFTER DELETE ON labels BEGIN
  UPDATE projects SET label_count = label_count - (NOT OLD.skipped),
    reviews_accepted = reviews_accepted - (OLD.review_state = 'ACCEPTED'),
    reviews_declined = reviews_declined - (OLD.review_state = 'DECLINED'),
    reviews_ambiguous = reviews_ambiguous - (OLD.review_state = 'AMBIGUOUS')
    WHERE id = OLD.project_id;
  UPDATE project_data_rows SET label_count = label_count - (NOT OLD.skipped), skip_count = skip_count - OLD.skipped
    WHERE project_id = OLD.project_id AND data_row_id = OLD.data_row_id;
  UPDATE project_member_stats SET labels = labels - (NOT OLD.skipped), skips = skips - OLD.skipped, seconds_total = seconds_total - OLD.seconds_to_create
    WHERE project_id = OLD.project_id AND user_id = OLD.created_by;
  UPDATE project_label_days SET count = count - 1
    WHERE NOT OLD.skipped AND project_id = OLD.project_id AND day = date(OLD.created_at / 1000, 'unixepoch') AND user_id = OLD.created_by;
END;
--> statement-breakpoint
CREATE TRIGGER labels_counters_update AFTER UPDATE OF skipped, seconds_to_create ON labels BEGIN
  UPDATE projects SET label_count = label_count + (NOT NEW.skipped) - (NOT OLD.skipped) WHERE id = NEW.project_id;
  UPDATE project_data_rows SET label_count = label_count + (NOT NEW.skipped) - (NOT OLD.skipped), skip_count = skip_count + NEW.skipped - OLD.skipped
    WHERE project_id = NEW.project_id AND data_row_id = NEW.data_row_id;
  UPDATE project_member_stats SET labels = labels + (NOT NEW.skipped) - (NOT OLD.skipped), skips = skips + NEW.skipped - OLD.skipped,
    seconds_total = seconds_total + NEW.seconds_to_create - OLD.seconds_to_create
    WHERE project_id = NEW.project_id AND user_id = NEW.created_by;
  INSERT INTO project_label_days (project_id, day, user_id, count)
    SELECT NEW.project_id, date(NEW.created_at / 1000, 'unixepoch'), NEW.created_by, (NOT NEW.skipped) - (NOT OLD.skipped) WHERE NEW.skipped <> OLD.skipped
    ON CONFLICT (project_id, day, user_id) DO UPDATE SET count = count + excluded.count;
END;
--> statement-breakpoint
CREATE TRIGGER labels_review_state AFTER UPDATE OF review_state ON labels WHEN NEW.review_state <> OLD.review_state BEGIN
  UPDATE projects SET
    reviews_accepted = reviews_accepted + (NEW.review_state = 'ACCEPTED') - (OLD.review_state = 'ACCEPTED'),
    reviews_declined = reviews_declined + (NEW.review_state = 'DECLINED') - (OLD.review_state = 'DECLINED'),
    reviews_ambiguous = reviews_ambiguous + (NEW.review_state = 'AMBIGUOUS') - (OLD.review_state = 'AMBIGUOUS')
  WHERE id = NEW.project_id;
END;
