-- 008 one entity per real-world thing.
-- Organisation keys also drop a leading "the" ("The Data Protection Board of India") and a
-- country or union prefix before a name of two words or more ("EU General Court",
-- "U.S. Securities and Exchange Commission"); person keys stay name_key.
-- entity_decisions records the analyst's merges and splits (newsmon entities merge/split),
-- so the resolution of later batches and of a reannotate keeps them.

CREATE OR REPLACE MACRO strip_leading_the(k) AS regexp_replace(k, '^the\s+', '');

CREATE OR REPLACE MACRO strip_country_prefix(k) AS CASE
    WHEN regexp_matches(k, '^(eu|e\.u\.|us|u\.s\.|uk|u\.k\.)\s+\S+\s+\S')
        THEN regexp_replace(k, '^(eu|e\.u\.|us|u\.s\.|uk|u\.k\.)\s+', '')
    ELSE k
END;

CREATE OR REPLACE MACRO alias_key(label, s) AS CASE
    WHEN label = 'organisation'
        THEN strip_corporate_suffix(strip_corporate_suffix(strip_country_prefix(strip_leading_the(name_key(s)))))
    ELSE name_key(s)
END;

CREATE SEQUENCE entity_decisions_seq START 1;

CREATE TABLE entity_decisions (
    decision_id  BIGINT PRIMARY KEY DEFAULT nextval('entity_decisions_seq'),
    decided_at   TIMESTAMP NOT NULL,
    action       VARCHAR NOT NULL CHECK (action IN ('merge', 'split')),
    label        VARCHAR NOT NULL CHECK (label IN ('person', 'organisation')),
    name         VARCHAR NOT NULL,   -- merge: the entity kept; split: the entity split from
    other        VARCHAR NOT NULL    -- merge: the entity merged into it; split: the spelling taken out
);

-- existing organisation aliases also answer to their new key (the first entity keeps a key)
INSERT INTO entity_aliases (alias, label, entity_id)
SELECT DISTINCT ON (alias_key(label, alias)) alias_key(label, alias), label, entity_id
FROM entity_aliases
WHERE label = 'organisation' AND alias_key(label, alias) <> alias
ORDER BY alias_key(label, alias), entity_id
ON CONFLICT DO NOTHING;
