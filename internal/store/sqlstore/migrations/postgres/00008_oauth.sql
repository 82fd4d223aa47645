-- The OAuth 2 extensions beyond Cognito of pools (tollgate.PoolOAuth) and
-- clients (tollgate.ClientOAuth): one JSON document each, NULL when none is
-- declared, as every row older than the column reads. A client's JWKS is
-- public keys, stored clear; nothing secret goes in these columns.

-- +goose Up
ALTER TABLE pools ADD COLUMN oauth TEXT;
ALTER TABLE clients ADD COLUMN oauth TEXT;

-- +goose Down
ALTER TABLE clients DROP COLUMN oauth;
ALTER TABLE pools DROP COLUMN oauth;
