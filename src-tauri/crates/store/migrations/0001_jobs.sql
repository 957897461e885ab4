-- Jobs: every long piece of work is a row, so a restart shows what happened.
CREATE TABLE jobs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN
                       ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
    progress_done  INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER,
    phase          TEXT,
    error          TEXT,
    result         TEXT,             -- JSON summary written by the job on success
    created_at     INTEGER NOT NULL, -- unix milliseconds
    started_at     INTEGER,
    finished_at    INTEGER
);
CREATE INDEX jobs_by_created ON jobs (created_at DESC);
CREATE INDEX jobs_by_status ON jobs (status);
