-- Connected orgs. Secrets (refresh tokens, key paths) are never stored here: they live in the
-- OS keychain (or the opt-in file store), keyed by org id + username.
CREATE TABLE orgs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    alias             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    org_id            TEXT    NOT NULL,              -- 18-character Salesforce org id
    username          TEXT    NOT NULL,
    user_id           TEXT,
    name              TEXT    NOT NULL,              -- Organization.Name
    instance_url      TEXT    NOT NULL,
    login_url         TEXT    NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('production', 'sandbox', 'developer', 'scratch')),
    colour            TEXT    NOT NULL,
    protected         INTEGER NOT NULL CHECK (protected IN (0, 1)),
    auth_method       TEXT    NOT NULL CHECK (auth_method IN ('web', 'jwt', 'sfdx_url')),
    client_id         TEXT    NOT NULL,
    instance_name     TEXT,
    organization_type TEXT,
    trial_expires_at  TEXT,
    api_used          INTEGER,
    api_max           INTEGER,
    last_seen_at      INTEGER,                       -- unix ms of the last successful call
    last_error        TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (org_id, username)
);

CREATE TABLE org_tags (
    org INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    tag TEXT    NOT NULL,
    PRIMARY KEY (org, tag)
);
CREATE INDEX org_tags_by_tag ON org_tags (tag);
