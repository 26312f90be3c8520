-- Version 2: leases on runs, for crash recovery (DESIGN.md sections 3 and 5).
--
-- A running run is held by one server instance (owner, its instance id) until lease_until (nanoseconds since
-- the epoch, like every instant here); the owner's heartbeat extends it, its end is written only while it is
-- still the owner, and another instance takes over a run whose lease has passed. Operations had both columns
-- from version 1. Rows from before this version have neither, which recovery reads as "held by nobody".

ALTER TABLE runs ADD COLUMN owner TEXT;
ALTER TABLE runs ADD COLUMN lease_until BIGINT;
