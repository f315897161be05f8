-- Per person and project: that person's submitted (not skipped) labels by review state, so the
-- dashboard's "Mine" reviews read one row instead of counting the person's labels (which grows
-- with their work: 22k labels and 38 ms in SQLite for one labeler of the 1M-annotation bench).
-- Kept by the database in the same statement as each label write, like the project's review
-- counters (0003_label_counters.sql), so every path (browser, API, import, delete task) keeps
-- them exact. A label's project and author never change; its review state and skip flag may.

-- Labels are created UNREVIEWED by the app; a label written with a review state is counted too.
CREATE TRIGGER labels_member_reviews_insert AFTER INSERT ON labels
WHEN NOT NEW.skipped AND NEW.review_state IN ('ACCEPTED', 'DECLINED', 'AMBIGUOUS') BEGIN
  -- An upsert: SQLite runs this before or after labels_counters_insert (which creates the row).
  INSERT INTO project_member_stats (project_id, user_id, reviews_accepted, reviews_declined, reviews_ambiguous)
    VALUES (NEW.project_id, NEW.created_by, NEW.review_state = 'ACCEPTED', NEW.review_state = 'DECLINED', NEW.review_state = 'AMBIGUOUS')
    ON CONFLICT (project_id, user_id) DO UPDATE SET
      reviews_accepted = reviews_accepted + excluded.reviews_accepted,
      reviews_declined = reviews_declined + excluded.reviews_declined,
      reviews_ambiguous = reviews_ambiguous + excluded.reviews_ambiguous;
END;
--> statement-breakpoint
CREATE TRIGGER labels_member_reviews_update AFTER UPDATE OF review_state, skipped ON labels
WHEN NEW.review_state IS NOT OLD.review_state OR NEW.skipped IS NOT OLD.skipped BEGIN
  UPDATE project_member_stats SET
    reviews_accepted = reviews_accepted + (NOT NEW.skipped AND NEW.review_state = 'ACCEPTED') - (NOT OLD.skipped AND OLD.review_state = 'ACCEPTED'),
    reviews_declined = reviews_declined + (NOT NEW.skipped AND NEW.review_state = 'DECLINED') - (NOT OLD.skipped AND OLD.review_state = 'DECLINED'),
    reviews_ambiguous = reviews_ambiguous + (NOT NEW.skipped AND NEW.review_state = 'AMBIGUOUS') - (NOT OLD.skipped AND OLD.review_state = 'AMBIGUOUS')
  WHERE project_id = NEW.project_id AND user_id = NEW.created_by;
END;
--> statement-breakpoint
CREATE TRIGGER labels_member_reviews_delete AFTER DELETE ON labels
WHEN NOT OLD.skipped AND OLD.review_state IN ('ACCEPTED', 'DECLINED', 'AMBIGUOUS') BEGIN
  UPDATE project_member_stats SET
    reviews_accepted = reviews_accepted - (OLD.review_state = 'ACCEPTED'),
    reviews_declined = reviews_declined - (OLD.review_state = 'DECLINED'),
    reviews_ambiguous = reviews_ambiguous - (OLD.review_state = 'AMBIGUOUS')
  WHERE project_id = OLD.project_id AND user_id = OLD.created_by;
END;
--> statement-breakpoint
-- The labels that exist already: one pass over the reviewed ones.
UPDATE project_member_stats SET reviews_accepted = c.accepted, reviews_declined = c.declined, reviews_ambiguous = c.ambiguous
FROM (
  SELECT project_id, created_by,
    sum(review_state = 'ACCEPTED') AS accepted, sum(review_state = 'DECLINED') AS declined, sum(review_state = 'AMBIGUOUS') AS ambiguous
  FROM labels WHERE NOT skipped AND review_state IN ('ACCEPTED', 'DECLINED', 'AMBIGUOUS')
  GROUP BY project_id, created_by
) AS c
WHERE project_member_stats.project_id = c.project_id AND project_member_stats.user_id = c.created_by;
