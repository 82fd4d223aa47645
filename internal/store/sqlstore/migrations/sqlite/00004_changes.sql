-- The change feed: what each write changed, labelled with the generation it
-- committed. A reader asks for the changes after the generation it holds;
-- changes_floor is the generation up to which the log was trimmed (readers
-- behind it reload everything). The log starts empty at the current
-- generation, so a reader older than this migration reloads everything.

-- +goose Up
CREATE TABLE changes (
    gen     INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    pool_id TEXT NOT NULL,
    PRIMARY KEY (gen, seq)
) STRICT;
ALTER TABLE generation ADD COLUMN changes_floor INTEGER NOT NULL DEFAULT 0;
UPDATE generation SET changes_floor = value;

-- +goose Down
ALTER TABLE generation DROP COLUMN changes_floor;
DROP TABLE changes;
