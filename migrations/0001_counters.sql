-- Counters kept by the database itself, so every path that adds or removes rows (API, uploads,
-- import tasks, batch attach/detach, slice deletes) keeps them exact without a recount.
CREATE TRIGGER data_rows_count_insert AFTER INSERT ON data_rows BEGIN
  UPDATE datasets SET row_count = row_count + 1 WHERE id = NEW.dataset_id;
END;
--> statement-breakpoint
CREATE TRIGGER data_rows_count_delete AFTER DELETE ON data_rows BEGIN
  UPDATE datasets SET row_count = row_count - 1 WHERE id = OLD.dataset_id;
  DELETE FROM project_data_rows WHERE data_row_id = OLD.id;
END;
--> statement-breakpoint
CREATE TRIGGER project_data_rows_count_insert AFTER INSERT ON project_data_rows BEGIN
  UPDATE projects SET data_row_count = data_row_count + 1 WHERE id = NEW.project_id;
  UPDATE batches SET size = size + 1 WHERE id = NEW.batch_id;
END;
--> statement-breakpoint
CREATE TRIGGER project_data_rows_count_delete AFTER DELETE ON project_data_rows BEGIN
  UPDATE projects SET data_row_count = data_row_count - 1 WHERE id = OLD.project_id;
  UPDATE batches SET size = size - 1 WHERE id = OLD.batch_id;
END;
