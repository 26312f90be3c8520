-- Version 3: the user an operation acts for (DESIGN.md section 6, "Whose account").
--
-- The server resolves the conversation's owner from the authenticated caller and passes it to the run as
-- configurable.user_id; the operation keeps it on its own row so that recovering an operation whose run was
-- deleted (rolled back) acts for exactly that user. It never changes after the operation is created. Rows from
-- before this version have none: they act for no identified user, whose account the coordination namespace keys.

ALTER TABLE operations ADD COLUMN user_id TEXT;
