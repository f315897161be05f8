-- Every organization gets its AWS external id now (new ones get it when made, src/db/schema/orgs.ts),
-- so that listing integrations never writes it on first read (an UPDATE and a read again: three
-- round trips more, once per organization). 18 random bytes, as hex; the value is opaque.
UPDATE organizations SET aws_external_id = 'ld-' || lower(hex(randomblob(18))) WHERE aws_external_id IS NULL;
