-- Version 8: every version of an assistant (PATCH /assistants/{id} makes a new one; POST .../latest picks which
-- one is live). The assistants table keeps the live version as before, so reads and searches stay one table;
-- this table keeps all of them, the live one included. Rows of assistants stored before this version become
-- their version rows here. (Version 7 is left to other work, which may land before or after this one.)

CREATE TABLE assistant_versions (
    assistant_id  ${key}   NOT NULL,
    version       INTEGER  NOT NULL,
    graph_id      ${key}   NOT NULL,
    config        TEXT     NOT NULL,
    context       TEXT     NOT NULL,
    metadata      TEXT     NOT NULL,
    name          TEXT     NOT NULL,
    description   TEXT,
    created_at    BIGINT   NOT NULL,
    PRIMARY KEY (assistant_id, version)
);
INSERT INTO assistant_versions (assistant_id, version, graph_id, config, context, metadata, name, description,
        created_at)
    SELECT assistant_id, version, graph_id, config, context, metadata, name, description, updated_at
    FROM assistants;
