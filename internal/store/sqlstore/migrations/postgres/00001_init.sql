-- The initial schema. Lists (flows, scopes) are JSON arrays kept as TEXT, so
-- that both dialects read and write them the same way.

-- +goose Up
CREATE TABLE pools (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    region     TEXT NOT NULL,
    config_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE resource_servers (
    pool_id    TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL, -- JSON: [{"name": "...", "description": "..."}]
    config_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);

CREATE TABLE clients (
    id                          TEXT PRIMARY KEY,
    pool_id                     TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name                        TEXT NOT NULL,
    allowed_oauth_flows         TEXT NOT NULL, -- JSON array of strings
    allowed_oauth_scopes        TEXT NOT NULL, -- JSON array of strings
    access_token_validity       BIGINT NOT NULL,
    access_token_validity_unit  TEXT NOT NULL,
    id_token_validity           BIGINT NOT NULL,
    id_token_validity_unit      TEXT NOT NULL,
    refresh_token_validity      BIGINT NOT NULL,
    refresh_token_validity_unit TEXT NOT NULL,
    config_key                  TEXT NOT NULL,
    created_at                  TIMESTAMPTZ NOT NULL,
    updated_at                  TIMESTAMPTZ NOT NULL,
    UNIQUE (pool_id, name)
);

CREATE TABLE client_secrets (
    client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    hash       BYTEA NOT NULL,
    sealed     BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_id, id)
);

CREATE TABLE domains (
    domain     TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    custom     BOOLEAN NOT NULL,
    cert_file  TEXT NOT NULL,
    key_file   TEXT NOT NULL,
    config_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX domains_pool_id ON domains (pool_id);

-- position is the key's index in the slice last written, so that keys created
-- in the same microsecond list in the order they were given.
CREATE TABLE signing_keys (
    pool_id      TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    kid          TEXT NOT NULL,
    alg          TEXT NOT NULL,
    state        TEXT NOT NULL,
    public       BYTEA NOT NULL,
    sealed       BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    activated_at TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ,
    position     INTEGER NOT NULL,
    PRIMARY KEY (pool_id, kid)
);

-- client_id has no foreign key on purpose: deleting a client must not
-- forget the revocation of a token it was issued, which stays valid until it
-- expires.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX revoked_tokens_pool_id ON revoked_tokens (pool_id);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);

CREATE TABLE generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO generation (id, value) VALUES (1, 0);

-- +goose Down
DROP TABLE generation;
DROP TABLE revoked_tokens;
DROP TABLE signing_keys;
DROP TABLE domains;
DROP TABLE client_secrets;
DROP TABLE clients;
DROP TABLE resource_servers;
DROP TABLE pools;
