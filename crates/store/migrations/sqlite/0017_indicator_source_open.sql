-- An indicator's `source` is decoded by `indicator_source::IndicatorSource` (an unknown code is an
-- error there). Modules that fill indicators by themselves (projects, cultivation) each add their
-- sources to that enum; the column no longer repeats the list in a CHECK that every new module
-- would have to rebuild. SQLite drops a column whose only CHECK is its own: add the open column,
-- copy, drop, rename.
ALTER TABLE indicators ADD COLUMN source_open TEXT NOT NULL DEFAULT 'manual';
UPDATE indicators SET source_open = source;
ALTER TABLE indicators DROP COLUMN source;
ALTER TABLE indicators RENAME COLUMN source_open TO source;
