-- Version 5: crons (scheduled runs).
--
-- next_run_at is the firing claim: an instance fires a cron only by moving next_run_at forward with
-- "UPDATE ... WHERE cron_id = ? AND next_run_at = <the value it read>", so one instance wins each due time.
-- NULL means the cron fires no more (disabled, or past its end_time). Conventions as in V1.

CREATE TABLE crons (
    cron_id           ${key}   NOT NULL PRIMARY KEY,
    assistant_id      ${key}   NOT NULL,
    thread_id         ${key},
    user_id           TEXT,
    schedule          TEXT     NOT NULL,
    timezone          TEXT,
    end_time          BIGINT,
    on_run_completed  TEXT,
    enabled           INTEGER  NOT NULL,
    payload           TEXT     NOT NULL,
    metadata          TEXT     NOT NULL,
    next_run_at       BIGINT,
    created_at        BIGINT   NOT NULL,
    updated_at        BIGINT   NOT NULL
);
CREATE INDEX crons_by_next_run ON crons (enabled, next_run_at);
CREATE INDEX crons_by_thread ON crons (thread_id);
CREATE INDEX crons_by_user ON crons (user_id, created_at);
