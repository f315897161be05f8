ALTER TABLE `organizations` ADD `member_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `organizations` ADD `open_invitation_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `memberships_org_role_idx` ON `memberships` (`org_id`,`role`);--> statement-breakpoint
CREATE INDEX `invitations_pending_idx` ON `invitations` (`org_id`,`id`) WHERE accepted_at IS NULL AND revoked_at IS NULL;--> statement-breakpoint
CREATE INDEX `invitations_pending_expiry_idx` ON `invitations` (`org_id`,`expires_at`) WHERE accepted_at IS NULL AND revoked_at IS NULL;--> statement-breakpoint
-- The seat count (members + pending invitations, src/modules/orgs/service.ts seatsRead) read every
-- membership and invitation of the organization. These counters are kept exact by the database,
-- whatever path writes (invite, accept and its rollback, revoke, remove, the org's cascade delete):
-- each membership or invitation written changes its organization's row once (1 row written more
-- per membership inserted or deleted, per invitation created, accepted, revoked or deleted).
UPDATE organizations SET
  member_count = (SELECT count(*) FROM memberships m WHERE m.org_id = organizations.id),
  open_invitation_count = (SELECT count(*) FROM invitations i WHERE i.org_id = organizations.id AND i.accepted_at IS NULL AND i.revoked_at IS NULL);
--> statement-breakpoint
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships BEGIN
  UPDATE organizations SET member_count = member_count + 1 WHERE id = NEW.org_id;
END;
--> statement-breakpoint
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships BEGIN
  UPDATE organizations SET member_count = member_count - 1 WHERE id = OLD.org_id;
END;
--> statement-breakpoint
CREATE TRIGGER memberships_count_move AFTER UPDATE OF org_id ON memberships WHEN NEW.org_id IS NOT OLD.org_id BEGIN
  UPDATE organizations SET member_count = member_count - 1 WHERE id = OLD.org_id;
  UPDATE organizations SET member_count = member_count + 1 WHERE id = NEW.org_id;
END;
--> statement-breakpoint
CREATE TRIGGER invitations_count_insert AFTER INSERT ON invitations WHEN NEW.accepted_at IS NULL AND NEW.revoked_at IS NULL BEGIN
  UPDATE organizations SET open_invitation_count = open_invitation_count + 1 WHERE id = NEW.org_id;
END;
--> statement-breakpoint
CREATE TRIGGER invitations_count_delete AFTER DELETE ON invitations WHEN OLD.accepted_at IS NULL AND OLD.revoked_at IS NULL BEGIN
  UPDATE organizations SET open_invitation_count = open_invitation_count - 1 WHERE id = OLD.org_id;
END;
--> statement-breakpoint
-- Only a change of pending state (or of organization) touches the counter: a resend (new token and
-- expiry) writes nothing more.
CREATE TRIGGER invitations_count_update AFTER UPDATE OF org_id, accepted_at, revoked_at ON invitations
WHEN NEW.org_id IS NOT OLD.org_id
  OR (OLD.accepted_at IS NULL AND OLD.revoked_at IS NULL) <> (NEW.accepted_at IS NULL AND NEW.revoked_at IS NULL)
BEGIN
  UPDATE organizations SET open_invitation_count = open_invitation_count - 1
    WHERE id = OLD.org_id AND OLD.accepted_at IS NULL AND OLD.revoked_at IS NULL;
  UPDATE organizations SET open_invitation_count = open_invitation_count + 1
    WHERE id = NEW.org_id AND NEW.accepted_at IS NULL AND NEW.revoked_at IS NULL;
END;
