-- Drift ignore rules: noise a team has decided not to look at (a type, a name glob, or an
-- element path such as `loginIpRanges`). Kept per workspace (this database); drift reports
-- always count what the rules hid, so nothing disappears silently.
CREATE TABLE drift_ignore_rules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL CHECK (kind IN ('type', 'name', 'element')),
    type_name  TEXT,                  -- only components of this type (name/element rules)
    pattern    TEXT    NOT NULL,      -- type glob, full-name glob or element path glob
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL       -- unix milliseconds
);
