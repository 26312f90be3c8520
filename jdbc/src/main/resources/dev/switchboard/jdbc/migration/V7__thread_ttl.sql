-- Version 7: expiry (docs/expiry.md).
--
-- A thread's ttl lives on its row (strategy and length in nanoseconds, both NULL for a thread that never
-- expires), so deleting the thread takes its ttl along and "expired" is one predicate over updated_at:
-- updated_at + ttl_nanos <= now. A store item keeps the length of its own ttl next to its expiry,
-- so a read with refresh_ttl can push the expiry back by exactly that length.

ALTER TABLE threads ADD COLUMN ttl_strategy TEXT;
ALTER TABLE threads ADD COLUMN ttl_nanos BIGINT;
ALTER TABLE store_items ADD COLUMN ttl_nanos BIGINT;
-- The sweeper's question ("which threads expired first?") as one index over the expiry instant, holding only the
-- threads that have a ttl: both engines use it for the WHERE and the ORDER BY of JdbcThreadStore.expired.
CREATE INDEX threads_by_expiry ON threads ((updated_at + ttl_nanos)) WHERE ttl_nanos IS NOT NULL;
-- Items put before this version had their ttl counted from their last write: that length is recovered here.
UPDATE store_items SET ttl_nanos = expires_at - updated_at WHERE expires_at IS NOT NULL;
