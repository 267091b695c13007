-- An indicator's `source` is decoded by `indicator_source::IndicatorSource` (an unknown code is an
-- error there). Modules that fill indicators by themselves (projects, cultivation) each add their
-- sources to that enum; the column no longer repeats the list in a CHECK that every new module
-- would have to rebuild.
ALTER TABLE indicators DROP CONSTRAINT IF EXISTS indicators_source_check;
