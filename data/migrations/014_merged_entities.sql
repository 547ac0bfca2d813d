-- 014 one row per real-world thing in `entities`: an entity merged into another (an acronym
-- into its expansion, or the analyst's merge) used to stay behind with no alias and no
-- mention ("EU" beside "European Union" in the demo database).  Its fine reports now point
-- at the entity its name is an alias of, and it is removed; nothing else referred to it.
-- An organisation named with a leading "The" takes the name without it when a mention
-- spells it so ("The Data Protection Board of India" -> "Data Protection Board of India").
UPDATE fine_reports f SET authority_entity_id = a.entity_id
FROM entities e, entity_aliases a
WHERE f.authority_entity_id = e.entity_id AND a.alias = alias_key(e.label, e.name) AND a.label = e.label
  AND e.entity_id NOT IN (SELECT entity_id FROM entity_aliases);

UPDATE fine_reports f SET target_entity_id = a.entity_id
FROM entities e, entity_aliases a
WHERE f.target_entity_id = e.entity_id AND a.alias = alias_key(e.label, e.name) AND a.label = e.label
  AND e.entity_id NOT IN (SELECT entity_id FROM entity_aliases);

DELETE FROM entities
WHERE entity_id NOT IN (SELECT entity_id FROM entity_aliases)
  AND entity_id NOT IN (SELECT entity_id FROM mentions WHERE entity_id IS NOT NULL);

UPDATE entities e SET name = x.canonical
FROM (SELECT entity_id, min(canonical) AS canonical FROM mentions
      WHERE label = 'organisation' AND entity_id IS NOT NULL AND NOT canonical ILIKE 'the %'
      GROUP BY entity_id) x
WHERE e.entity_id = x.entity_id AND e.label = 'organisation' AND lower(e.name) = 'the ' || lower(x.canonical);
