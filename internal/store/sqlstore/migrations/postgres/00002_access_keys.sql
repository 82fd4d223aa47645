-- Access keys of the Cognito management API. The secret access key is
-- sealed under the master key, bound to the key id: SigV4 verification needs
-- the secret itself, so it cannot be hashed.

-- +goose Up
CREATE TABLE access_keys (
    id          TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    sealed      BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE access_keys;
