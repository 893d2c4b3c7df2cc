-- User search (issue 17): the (path, value) pairs of each user that Auth0's v3
-- search `q` can match (portcullis_core::user_search::attributes), rewritten
-- with the user in one transaction, so a search is an indexed lookup with bound
-- values instead of a scan of JSON documents. Existing users are indexed by the
-- store right after this migration (Store::index_unindexed_users).
CREATE TABLE user_attributes (
    tenant_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    -- `email`, `name`, `app_metadata.plan.tier`, …
    path      TEXT NOT NULL,
    -- Lower-cased for the normalised fields; `true`/`false` for booleans.
    value     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, path, value),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX user_attributes_by_value ON user_attributes (tenant_id, path, value);
