-- Switchboard's schema, version 1: one table per storage port of the runtime.
--
-- The same file runs on SQLite and PostgreSQL. ${key} is the one dialect difference: a text type that
-- compares byte by byte (SQLite's TEXT is binary already; PostgreSQL needs COLLATE "C"), so that ordering
-- by id and namespace-prefix ranges do not depend on the server's locale.
--
-- Conventions, kept by the Java code in dev.switchboard.jdbc:
--   * ids are UUIDs in their canonical lower-case text (36 characters), so text order is UUID order and,
--     for time-ordered UUIDv7 ids, creation order;
--   * instants are BIGINT nanoseconds since the epoch (exact for what Instant.now() returns; years 1678-2261);
--   * JSON is kept as the text Jackson wrote, so values come back exactly as written, key order included;
--   * enums are their wire names (run status "pending", lane "main", ...).
-- There are no foreign keys between these tables on purpose: each port is used on its own (the runtime
-- deletes a thread's runs, checkpoints and operations itself), and its contract suite runs without the others.

CREATE TABLE assistants (
    assistant_id  ${key}   NOT NULL PRIMARY KEY,
    graph_id      ${key}   NOT NULL,
    config        TEXT     NOT NULL,
    context       TEXT     NOT NULL,
    metadata      TEXT     NOT NULL,
    version       INTEGER  NOT NULL,
    name          TEXT     NOT NULL,
    description   TEXT,
    created_at    BIGINT   NOT NULL,
    updated_at    BIGINT   NOT NULL
);
CREATE INDEX assistants_by_creation ON assistants (created_at, assistant_id);

CREATE TABLE threads (
    thread_id     ${key}   NOT NULL PRIMARY KEY,
    created_at    BIGINT   NOT NULL,
    updated_at    BIGINT   NOT NULL,
    metadata      TEXT     NOT NULL,
    status        ${key}   NOT NULL,
    config        TEXT     NOT NULL,
    state_values  TEXT
);
CREATE INDEX threads_by_creation ON threads (created_at, thread_id);
CREATE INDEX threads_by_update ON threads (updated_at, thread_id);
CREATE INDEX threads_by_status ON threads (status, thread_id);

CREATE TABLE runs (
    run_id              ${key}  NOT NULL PRIMARY KEY,
    thread_id           ${key}  NOT NULL,
    assistant_id        ${key}  NOT NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    status              ${key}  NOT NULL,
    metadata            TEXT    NOT NULL,
    kwargs              TEXT    NOT NULL,
    multitask_strategy  ${key}  NOT NULL,
    lane                ${key}  NOT NULL
);
CREATE INDEX runs_by_thread ON runs (thread_id, lane, status, created_at);
CREATE INDEX runs_by_status ON runs (status, created_at);
-- The single-active-run rule (DESIGN.md section 2) held by the database itself: whatever a buggy or
-- racing writer does, a second running run on one thread and lane is a constraint violation.
CREATE UNIQUE INDEX runs_one_running_per_lane ON runs (thread_id, lane) WHERE status = 'running';

CREATE TABLE checkpoints (
    thread_id      ${key}   NOT NULL,
    checkpoint_id  ${key}   NOT NULL,
    parent_id      ${key},
    run_id         ${key},
    step           INTEGER  NOT NULL,
    source         ${key}   NOT NULL,
    state_values   TEXT     NOT NULL,
    next_nodes     TEXT     NOT NULL,
    metadata       TEXT     NOT NULL,
    created_at     BIGINT   NOT NULL,
    PRIMARY KEY (thread_id, checkpoint_id)
);
CREATE INDEX checkpoints_by_run ON checkpoints (thread_id, run_id);

CREATE TABLE operations (
    operation_id      ${key}   NOT NULL PRIMARY KEY,
    thread_id         ${key}   NOT NULL,
    run_id            ${key}   NOT NULL,
    tool_call_id      TEXT     NOT NULL,
    tool_name         TEXT     NOT NULL,
    arguments         TEXT     NOT NULL,
    idempotency_key   ${key}   NOT NULL UNIQUE,
    namespace         TEXT     NOT NULL,
    status            ${key}   NOT NULL,
    percent           INTEGER  NOT NULL,
    message           TEXT     NOT NULL,
    result            TEXT,
    error             TEXT,
    cancel_requested  BOOLEAN  NOT NULL,
    reported          BOOLEAN  NOT NULL,
    owner             TEXT,
    lease_until       BIGINT,
    created_at        BIGINT   NOT NULL,
    updated_at        BIGINT   NOT NULL
);
CREATE INDEX operations_by_thread ON operations (thread_id, created_at);
CREATE INDEX operations_by_status ON operations (status, reported, created_at);

CREATE TABLE store_items (
    namespace   ${key}  NOT NULL,
    item_key    ${key}  NOT NULL,
    item_value  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    expires_at  BIGINT,
    PRIMARY KEY (namespace, item_key)
);
CREATE INDEX store_items_by_update ON store_items (updated_at);
CREATE INDEX store_items_by_expiry ON store_items (expires_at);
