-- The user sign-in flows a client allows (Cognito's ExplicitAuthFlows), as
-- a JSON array of strings; NULL when never set, so that Cognito's default
-- applies.

-- +goose Up
ALTER TABLE clients ADD COLUMN explicit_auth_flows TEXT;

-- +goose Down
ALTER TABLE clients DROP COLUMN explicit_auth_flows;
