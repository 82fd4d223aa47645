-- API Gateway's API keys and usage plans, the usage counted per key and
-- day, and the token endpoint's limits of pools and clients.
--
-- An API key's value is a credential: the store keeps its keyed hash
-- (unique: the gateway finds a key by the hash of the value presented) and
-- the value sealed under the master key, bound to the key id, never the
-- value. A key's usage plans (UsagePlanKey) are rows of usage_plan_keys,
-- which go with the key or the plan deleted. A usage plan's stages,
-- throttle and quota are one JSON document, read strictly. Usage records
-- have no foreign key on purpose: a plan's or a key's use stays reported
-- after it is deleted.
--
-- token_limits (pools, clients) is JSON, NULL when none was set: on a pool
-- the zero limits, on a client the pool's limits apply.

-- +goose Up
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    hash        BYTEA NOT NULL UNIQUE,
    sealed      BYTEA NOT NULL,
    config_key  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE usage_plans (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    settings    TEXT NOT NULL, -- JSON: {"stages": [...], "throttle": {...}, "quota": {...}}
    config_key  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE usage_plan_keys (
    key_id  TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    plan_id TEXT NOT NULL REFERENCES usage_plans (id) ON DELETE CASCADE,
    PRIMARY KEY (key_id, plan_id)
);
CREATE INDEX usage_plan_keys_plan_id ON usage_plan_keys (plan_id);

CREATE TABLE usage_records (
    plan_id TEXT NOT NULL,
    key_id  TEXT NOT NULL,
    day     TEXT NOT NULL, -- 2006-01-02, UTC
    count   BIGINT NOT NULL,
    PRIMARY KEY (plan_id, key_id, day)
);

ALTER TABLE pools ADD COLUMN token_limits TEXT;
ALTER TABLE clients ADD COLUMN token_limits TEXT;

-- +goose Down
ALTER TABLE clients DROP COLUMN token_limits;
ALTER TABLE pools DROP COLUMN token_limits;
DROP TABLE usage_records;
DROP TABLE usage_plan_keys;
DROP TABLE usage_plans;
DROP TABLE api_keys;
