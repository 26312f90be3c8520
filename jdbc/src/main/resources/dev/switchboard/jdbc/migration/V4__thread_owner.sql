-- Version 4: a thread's owner as its own indexed column (DESIGN.md section 6).
--
-- With sign-in on, every thread search is limited to the caller's threads. Reading the owner out of the metadata
-- JSON in Java meant scanning the whole table on every search; the column makes it one indexed predicate. The
-- store keeps it equal to metadata.owner on every write; rows from before this version are filled in here.
-- (Version 3 is left to the identity work, which may land before or after this one.)

ALTER TABLE threads ADD COLUMN owner TEXT;
UPDATE threads SET owner = ${metadata_owner};
CREATE INDEX threads_by_owner ON threads (owner, created_at, thread_id);
