-- Version 6: semantic search over store items.
--
-- An item's vector lives in its own row, so a put, a delete and expiry keep item and vector together without a
-- second table to keep in step. It is the little-endian float32 array, Base64 text (one format for both engines);
-- NULL for an item that is not indexed. Search is brute force in Java over the items under the namespace prefix
-- (see docs/semantic-store.md for the sizes that suits).

ALTER TABLE store_items ADD COLUMN embedding TEXT;
