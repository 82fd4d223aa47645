-- A pool's pre token generation trigger (Cognito's
-- LambdaConfig.PreTokenGenerationConfig): the function's ARN and the event
-- version (V1_0, V2_0 or V3_0); both NULL when the pool has none.

-- +goose Up
ALTER TABLE pools ADD COLUMN pre_token_generation_arn TEXT;
ALTER TABLE pools ADD COLUMN pre_token_generation_version TEXT;

-- +goose Down
ALTER TABLE pools DROP COLUMN pre_token_generation_version;
ALTER TABLE pools DROP COLUMN pre_token_generation_arn;
