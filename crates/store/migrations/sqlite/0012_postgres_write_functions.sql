-- PostgreSQL only: two functions that let an audited write reach the audit chain's head
-- without a round trip while holding it (see the PostgreSQL script). On SQLite every write
-- transaction already holds the database's one write lock, and the application does the
-- same steps itself.
SELECT 1;
