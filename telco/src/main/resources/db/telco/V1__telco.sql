-- The telco backend's schema and its demo seed (DESIGN.md §8). Portable between SQLite and PostgreSQL:
-- ids are text chosen by the application (no sequences), dates are ISO-8601 text, flags are 0/1 integers
-- and money is integer pence. Every table is prefixed telco_ so it can share a database with the runtime's.

CREATE TABLE telco_package (
    package_id          VARCHAR(64)  PRIMARY KEY,
    name                VARCHAR(100) NOT NULL,
    monthly_price_pence BIGINT       NOT NULL,
    data_gb             INTEGER      NOT NULL, -- -1: unlimited
    minutes             INTEGER      NOT NULL, -- -1: unlimited
    sort_order          INTEGER      NOT NULL
);

CREATE TABLE telco_customer (
    customer_id VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    msisdn      VARCHAR(20)  NOT NULL UNIQUE
);

CREATE TABLE telco_subscription (
    customer_id  VARCHAR(64) PRIMARY KEY REFERENCES telco_customer (customer_id),
    package_id   VARCHAR(64) NOT NULL REFERENCES telco_package (package_id),
    active_since VARCHAR(10) NOT NULL,
    data_used_mb BIGINT      NOT NULL
);

CREATE TABLE telco_contract (
    contract_id                 VARCHAR(64) PRIMARY KEY,
    customer_id                 VARCHAR(64) NOT NULL UNIQUE REFERENCES telco_customer (customer_id),
    status                      VARCHAR(16) NOT NULL,
    started_on                  VARCHAR(10) NOT NULL,
    minimum_term_ends           VARCHAR(10) NOT NULL,
    early_termination_fee_pence BIGINT      NOT NULL,
    closed_on                   VARCHAR(10)
);

CREATE TABLE telco_addon (
    addon_id            VARCHAR(64)  PRIMARY KEY,
    name                VARCHAR(100) NOT NULL,
    description         VARCHAR(300) NOT NULL,
    monthly_price_pence BIGINT       NOT NULL,
    extra_data_gb       INTEGER      NOT NULL,
    sort_order          INTEGER      NOT NULL
);

CREATE TABLE telco_customer_addon (
    customer_id VARCHAR(64) NOT NULL REFERENCES telco_customer (customer_id),
    addon_id    VARCHAR(64) NOT NULL REFERENCES telco_addon (addon_id),
    PRIMARY KEY (customer_id, addon_id)
);

CREATE TABLE telco_roaming_zone (
    zone_id    VARCHAR(64)  PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    is_home    INTEGER      NOT NULL,
    sort_order INTEGER      NOT NULL
);

CREATE TABLE telco_country (
    name       VARCHAR(100) PRIMARY KEY,
    zone_id    VARCHAR(64)  NOT NULL REFERENCES telco_roaming_zone (zone_id),
    sort_order INTEGER      NOT NULL
);

-- Lower-case, accent-free, punctuation-free names a customer may use for a country (its own name included).
CREATE TABLE telco_country_alias (
    alias   VARCHAR(100) PRIMARY KEY,
    country VARCHAR(100) NOT NULL REFERENCES telco_country (name)
);

CREATE TABLE telco_roaming_pass (
    pass_id     VARCHAR(64)  PRIMARY KEY,
    zone_id     VARCHAR(64)  NOT NULL REFERENCES telco_roaming_zone (zone_id),
    name        VARCHAR(100) NOT NULL,
    days        INTEGER      NOT NULL,
    data_mb     INTEGER      NOT NULL,
    minutes     INTEGER      NOT NULL,
    price_pence BIGINT       NOT NULL,
    sort_order  INTEGER      NOT NULL
);

CREATE TABLE telco_pass_purchase (
    purchase_id  VARCHAR(64)  PRIMARY KEY,
    customer_id  VARCHAR(64)  NOT NULL REFERENCES telco_customer (customer_id),
    pass_id      VARCHAR(64)  NOT NULL REFERENCES telco_roaming_pass (pass_id),
    country      VARCHAR(100) NOT NULL,
    valid_from   VARCHAR(10)  NOT NULL,
    valid_until  VARCHAR(10)  NOT NULL,
    purchased_at VARCHAR(40)  NOT NULL
);

CREATE INDEX telco_pass_purchase_customer ON telco_pass_purchase (customer_id);

-- Issued bills keep their lines here; the open (current) month keeps only its one-off lines here, its
-- recurring lines follow the subscription as it is.
CREATE TABLE telco_bill_line (
    line_id      VARCHAR(64)  PRIMARY KEY,
    customer_id  VARCHAR(64)  NOT NULL REFERENCES telco_customer (customer_id),
    period       VARCHAR(7)   NOT NULL,
    kind         VARCHAR(16)  NOT NULL,
    description  VARCHAR(300) NOT NULL,
    amount_pence BIGINT       NOT NULL,
    created_at   VARCHAR(40)  NOT NULL
);

CREATE INDEX telco_bill_line_customer_period ON telco_bill_line (customer_id, period);

-- One row per applied state change: the key makes a repeat a no-op that returns the recorded result.
CREATE TABLE telco_applied_request (
    idempotency_key VARCHAR(300) PRIMARY KEY,
    customer_id     VARCHAR(64)  NOT NULL,
    action          VARCHAR(64)  NOT NULL,
    result          TEXT         NOT NULL,
    applied_at      VARCHAR(40)  NOT NULL
);

-- ---- seed ------------------------------------------------------------------------------------------------

INSERT INTO telco_package (package_id, name, monthly_price_pence, data_gb, minutes, sort_order) VALUES
  ('basic', 'Basic', 1000, 5, 250, 1),
  ('standard', 'Standard', 2000, 25, 1000, 2),
  ('premium', 'Premium', 3000, 100, -1, 3),
  ('unlimited', 'Unlimited', 4000, -1, -1, 4);

INSERT INTO telco_customer (customer_id, name, msisdn) VALUES
  ('demo', 'Demo Customer', '+447700900000'),
  ('alice', 'Alice Example', '+447700900001'),
  ('bob', 'Bob Example', '+447700900002');

INSERT INTO telco_subscription (customer_id, package_id, active_since, data_used_mb) VALUES
  ('demo', 'standard', '2025-03-01', 8300),
  ('alice', 'basic', '2026-05-10', 4100),
  ('bob', 'premium', '2023-06-01', 35200);

INSERT INTO telco_contract (contract_id, customer_id, status, started_on, minimum_term_ends, early_termination_fee_pence, closed_on) VALUES
  ('c-demo', 'demo', 'active', '2025-03-01', '2027-02-28', 4500, NULL),
  ('c-alice', 'alice', 'active', '2026-05-10', '2028-05-09', 12000, NULL),
  ('c-bob', 'bob', 'active', '2023-06-01', '2025-05-31', 5000, NULL);

INSERT INTO telco_addon (addon_id, name, description, monthly_price_pence, extra_data_gb, sort_order) VALUES
  ('data_boost_5gb', 'Data Boost 5 GB', '5 GB of extra data every month', 500, 5, 1),
  ('intl_calls_100', 'International Calls 100', '100 minutes a month to 50 countries', 400, 0, 2),
  ('music_streaming', 'Music Streaming', 'Ad-free music streaming that does not count toward your data', 700, 0, 3),
  ('device_insurance', 'Device Insurance', 'Cover for loss, theft and damage of your phone', 800, 0, 4);

INSERT INTO telco_customer_addon (customer_id, addon_id) VALUES
  ('alice', 'data_boost_5gb'),
  ('bob', 'music_streaming'),
  ('bob', 'intl_calls_100');

INSERT INTO telco_roaming_zone (zone_id, name, is_home, sort_order) VALUES
  ('home', 'United Kingdom (home)', 1, 1),
  ('eu', 'Europe', 0, 2),
  ('usa', 'USA & Canada', 0, 3),
  ('asia', 'Asia Pacific', 0, 4),
  ('world', 'Rest of the world', 0, 5);

INSERT INTO telco_country (name, zone_id, sort_order) VALUES
  ('United Kingdom', 'home', 1),
  ('Spain', 'eu', 2),
  ('France', 'eu', 3),
  ('Germany', 'eu', 4),
  ('Italy', 'eu', 5),
  ('Portugal', 'eu', 6),
  ('Netherlands', 'eu', 7),
  ('Belgium', 'eu', 8),
  ('Ireland', 'eu', 9),
  ('Greece', 'eu', 10),
  ('Austria', 'eu', 11),
  ('Switzerland', 'eu', 12),
  ('Sweden', 'eu', 13),
  ('Denmark', 'eu', 14),
  ('Norway', 'eu', 15),
  ('Finland', 'eu', 16),
  ('Iceland', 'eu', 17),
  ('Poland', 'eu', 18),
  ('Czech Republic', 'eu', 19),
  ('Croatia', 'eu', 20),
  ('Malta', 'eu', 21),
  ('Cyprus', 'eu', 22),
  ('United States', 'usa', 23),
  ('Canada', 'usa', 24),
  ('Japan', 'asia', 25),
  ('China', 'asia', 26),
  ('India', 'asia', 27),
  ('Thailand', 'asia', 28),
  ('Singapore', 'asia', 29),
  ('South Korea', 'asia', 30),
  ('Vietnam', 'asia', 31),
  ('Indonesia', 'asia', 32),
  ('Malaysia', 'asia', 33),
  ('Philippines', 'asia', 34),
  ('Hong Kong', 'asia', 35),
  ('Australia', 'asia', 36),
  ('New Zealand', 'asia', 37),
  ('Mexico', 'world', 38),
  ('Brazil', 'world', 39),
  ('Argentina', 'world', 40),
  ('South Africa', 'world', 41),
  ('Egypt', 'world', 42),
  ('United Arab Emirates', 'world', 43),
  ('Turkey', 'world', 44),
  ('Morocco', 'world', 45),
  ('Kenya', 'world', 46);

INSERT INTO telco_country_alias (alias, country) VALUES
  ('united kingdom', 'United Kingdom'),
  ('uk', 'United Kingdom'),
  ('great britain', 'United Kingdom'),
  ('britain', 'United Kingdom'),
  ('england', 'United Kingdom'),
  ('scotland', 'United Kingdom'),
  ('wales', 'United Kingdom'),
  ('northern ireland', 'United Kingdom'),
  ('gb', 'United Kingdom'),
  ('spain', 'Spain'),
  ('espana', 'Spain'),
  ('canary islands', 'Spain'),
  ('mallorca', 'Spain'),
  ('ibiza', 'Spain'),
  ('france', 'France'),
  ('paris', 'France'),
  ('germany', 'Germany'),
  ('deutschland', 'Germany'),
  ('italy', 'Italy'),
  ('italia', 'Italy'),
  ('portugal', 'Portugal'),
  ('madeira', 'Portugal'),
  ('netherlands', 'Netherlands'),
  ('holland', 'Netherlands'),
  ('amsterdam', 'Netherlands'),
  ('belgium', 'Belgium'),
  ('ireland', 'Ireland'),
  ('republic of ireland', 'Ireland'),
  ('eire', 'Ireland'),
  ('greece', 'Greece'),
  ('crete', 'Greece'),
  ('austria', 'Austria'),
  ('switzerland', 'Switzerland'),
  ('sweden', 'Sweden'),
  ('denmark', 'Denmark'),
  ('norway', 'Norway'),
  ('finland', 'Finland'),
  ('iceland', 'Iceland'),
  ('poland', 'Poland'),
  ('czech republic', 'Czech Republic'),
  ('czechia', 'Czech Republic'),
  ('prague', 'Czech Republic'),
  ('croatia', 'Croatia'),
  ('malta', 'Malta'),
  ('cyprus', 'Cyprus'),
  ('united states', 'United States'),
  ('usa', 'United States'),
  ('us', 'United States'),
  ('united states of america', 'United States'),
  ('america', 'United States'),
  ('states', 'United States'),
  ('new york', 'United States'),
  ('florida', 'United States'),
  ('canada', 'Canada'),
  ('japan', 'Japan'),
  ('tokyo', 'Japan'),
  ('china', 'China'),
  ('india', 'India'),
  ('thailand', 'Thailand'),
  ('bangkok', 'Thailand'),
  ('singapore', 'Singapore'),
  ('south korea', 'South Korea'),
  ('korea', 'South Korea'),
  ('republic of korea', 'South Korea'),
  ('vietnam', 'Vietnam'),
  ('viet nam', 'Vietnam'),
  ('indonesia', 'Indonesia'),
  ('bali', 'Indonesia'),
  ('malaysia', 'Malaysia'),
  ('philippines', 'Philippines'),
  ('hong kong', 'Hong Kong'),
  ('australia', 'Australia'),
  ('sydney', 'Australia'),
  ('new zealand', 'New Zealand'),
  ('mexico', 'Mexico'),
  ('brazil', 'Brazil'),
  ('brasil', 'Brazil'),
  ('argentina', 'Argentina'),
  ('south africa', 'South Africa'),
  ('egypt', 'Egypt'),
  ('united arab emirates', 'United Arab Emirates'),
  ('uae', 'United Arab Emirates'),
  ('dubai', 'United Arab Emirates'),
  ('emirates', 'United Arab Emirates'),
  ('turkey', 'Turkey'),
  ('turkiye', 'Turkey'),
  ('morocco', 'Morocco'),
  ('kenya', 'Kenya');

INSERT INTO telco_roaming_pass (pass_id, zone_id, name, days, data_mb, minutes, price_pence, sort_order) VALUES
  ('eu_day', 'eu', 'Europe Day Pass', 1, 2048, 100, 250, 1),
  ('eu_week', 'eu', 'Europe Week Pass', 7, 10240, 500, 1200, 2),
  ('usa_day', 'usa', 'USA & Canada Day Pass', 1, 1024, 60, 600, 3),
  ('usa_week', 'usa', 'USA & Canada Week Pass', 7, 5120, 300, 2500, 4),
  ('asia_day', 'asia', 'Asia Pacific Day Pass', 1, 1024, 60, 700, 5),
  ('asia_week', 'asia', 'Asia Pacific Week Pass', 7, 5120, 300, 3000, 6),
  ('world_day', 'world', 'World Day Pass', 1, 512, 30, 1000, 7),
  ('world_week', 'world', 'World Week Pass', 7, 3072, 120, 4500, 8);

INSERT INTO telco_bill_line (line_id, customer_id, period, kind, description, amount_pence, created_at) VALUES
  ('seed-demo-2026-09-1', 'demo', '2026-09', 'package', 'Standard package', 2000, '2026-09-01T00:00:00Z'),
  ('seed-alice-2026-09-1', 'alice', '2026-09', 'package', 'Basic package', 1000, '2026-09-01T00:00:00Z'),
  ('seed-alice-2026-09-2', 'alice', '2026-09', 'add_on', 'Data Boost 5 GB', 500, '2026-09-01T00:00:00Z'),
  ('seed-bob-2026-09-1', 'bob', '2026-09', 'package', 'Premium package', 3000, '2026-09-01T00:00:00Z'),
  ('seed-bob-2026-09-2', 'bob', '2026-09', 'add_on', 'Music Streaming', 700, '2026-09-01T00:00:00Z'),
  ('seed-bob-2026-09-3', 'bob', '2026-09', 'add_on', 'International Calls 100', 400, '2026-09-01T00:00:00Z'),
  ('seed-bob-2026-09-4', 'bob', '2026-09', 'roaming', 'Europe Week Pass (France)', 1200, '2026-09-01T00:00:00Z'),
  ('seed-demo-2026-10-1', 'demo', '2026-10', 'package', 'Standard package', 2000, '2026-10-01T00:00:00Z'),
  ('seed-alice-2026-10-1', 'alice', '2026-10', 'package', 'Basic package', 1000, '2026-10-01T00:00:00Z'),
  ('seed-alice-2026-10-2', 'alice', '2026-10', 'add_on', 'Data Boost 5 GB', 500, '2026-10-01T00:00:00Z'),
  ('seed-bob-2026-10-1', 'bob', '2026-10', 'package', 'Premium package', 3000, '2026-10-01T00:00:00Z'),
  ('seed-bob-2026-10-2', 'bob', '2026-10', 'add_on', 'Music Streaming', 700, '2026-10-01T00:00:00Z'),
  ('seed-bob-2026-10-3', 'bob', '2026-10', 'add_on', 'International Calls 100', 400, '2026-10-01T00:00:00Z');

