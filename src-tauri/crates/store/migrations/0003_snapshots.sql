-- Snapshots: what an org's (or an imported package's) metadata looked like at one moment.
--
-- File contents live once in `blobs`, addressed by the blake3 hash of their uncompressed
-- bytes and stored zstd-compressed, shared by every snapshot of every org that has them.
--
-- A snapshot's component and file rows are a DELTA against its `base` snapshot (the previous
-- snapshot of the same source): rows for components that were added or changed, and a
-- tombstone (content_hash NULL) for each one that disappeared. A snapshot without a base holds
-- every row. This keeps thirty snapshots of a 50k-component org with 1% churn close to the
-- size of one; chains are capped (the store writes a full snapshot past a fixed depth) and
-- deleting a base folds its rows into the snapshots built on it.
CREATE TABLE snapshots (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    source_kind     TEXT    NOT NULL CHECK (source_kind IN ('org', 'import')),
    org             INTEGER REFERENCES orgs (id) ON DELETE SET NULL,
    org_row_id      INTEGER,           -- the org's id at write time, kept after the org is removed
    org_alias       TEXT,              -- the org's alias at write time, shown after it is removed
    import_path     TEXT,
    label           TEXT    NOT NULL,
    api_version     TEXT,
    created_at      INTEGER NOT NULL,  -- unix milliseconds
    component_count INTEGER NOT NULL,
    file_count      INTEGER NOT NULL,
    total_bytes     INTEGER NOT NULL,  -- uncompressed
    base            INTEGER REFERENCES snapshots (id)
);
CREATE INDEX snapshots_by_created ON snapshots (created_at DESC, id DESC);
CREATE INDEX snapshots_by_base ON snapshots (base);

CREATE TABLE snapshot_warnings (
    snapshot  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    type_name TEXT    NOT NULL,
    message   TEXT    NOT NULL,
    PRIMARY KEY (snapshot, seq)
) WITHOUT ROWID;

CREATE TABLE blobs (
    hash        BLOB    PRIMARY KEY,   -- blake3 of the uncompressed bytes (32 bytes)
    size        INTEGER NOT NULL,      -- uncompressed
    stored_size INTEGER NOT NULL,      -- compressed
    data        BLOB    NOT NULL       -- zstd frame
);

CREATE TABLE snapshot_components (
    snapshot     INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    type         TEXT    NOT NULL,
    full_name    TEXT    NOT NULL,
    content_hash BLOB,                 -- blake3 over the sorted (path, file hash) list; NULL = removed
    size         INTEGER,              -- uncompressed bytes of the component's files
    file_count   INTEGER,
    PRIMARY KEY (snapshot, type, full_name)
) WITHOUT ROWID;

CREATE TABLE snapshot_files (
    snapshot  INTEGER NOT NULL,
    type      TEXT    NOT NULL,
    full_name TEXT    NOT NULL,
    path      TEXT    NOT NULL,        -- mdapi path, e.g. classes/Foo.cls-meta.xml
    blob      BLOB    NOT NULL REFERENCES blobs (hash),
    PRIMARY KEY (snapshot, type, full_name, path),
    FOREIGN KEY (snapshot, type, full_name)
        REFERENCES snapshot_components (snapshot, type, full_name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX snapshot_files_by_blob ON snapshot_files (blob);
