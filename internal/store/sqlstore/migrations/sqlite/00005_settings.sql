-- Settings every process sharing the store agrees on, by name: the master
-- key check value (sealed under the master key) and the issuer URL.

-- +goose Up
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- +goose Down
DROP TABLE settings;
