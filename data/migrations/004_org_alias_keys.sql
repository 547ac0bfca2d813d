-- 004 organisations named with and without a corporate suffix are one entity:
-- "Vantor Inc." and "Vantor" share the alias key "vantor".  People keep name_key.
-- The suffix is stripped twice, for "Pty Ltd" and "Co., Ltd.".

CREATE MACRO strip_corporate_suffix(k) AS regexp_replace(k,
    ',?\s+(inc|inc\.|incorporated|ltd|ltd\.|limited|llc|l\.l\.c\.|corp|corp\.|corporation|co|co\.|gmbh|ag|sa|s\.a\.|sas|s\.a\.s\.|plc|nv|n\.v\.|bv|b\.v\.|ab|oy|kk|k\.k\.|pty|pty\.)$', '');

CREATE MACRO alias_key(label, s) AS CASE
    WHEN label = 'organisation'
        THEN strip_corporate_suffix(strip_corporate_suffix(name_key(s)))
    ELSE name_key(s)
END;

-- existing organisation aliases also answer to their suffix-free key
INSERT INTO entity_aliases (alias, label, entity_id)
SELECT DISTINCT ON (alias_key(label, alias)) alias_key(label, alias), label, entity_id
FROM entity_aliases
WHERE label = 'organisation' AND alias_key(label, alias) <> alias
ON CONFLICT DO NOTHING;
