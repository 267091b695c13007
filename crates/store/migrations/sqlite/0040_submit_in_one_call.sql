-- PostgreSQL only: a unit's submit into a new revision in one server-side call (see the
-- PostgreSQL script). On SQLite the application does the same steps in its transaction.
SELECT 1;
