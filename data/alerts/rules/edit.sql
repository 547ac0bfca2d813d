-- rule: edit
-- A stored article was edited after we first stored it, and a figure or an entity appeared
-- or disappeared (article_changes.facts_changed); changes made (found) in the period. One alert per change;
-- the evidence is the article with the sentences of the figures and entities concerned.
-- params: $since, $until
WITH
changes AS (
    SELECT c.*, a.title, a.sitename, coalesce(a.published_at, a.first_seen_at) AS published
    FROM article_changes c JOIN articles a USING (article_id)
    WHERE c.changed_at >= $since AND c.changed_at < $until AND c.facts_changed
),
parts AS (
    SELECT *,
        list_transform(figures_removed, f -> f.text) AS fig_out, list_transform(figures_added, f -> f.text) AS fig_in,
        list_transform(entities_removed, e -> e.name) AS ent_out, list_transform(entities_added, e -> e.name) AS ent_in
    FROM changes
)
SELECT 'edit' AS rule, article_id || ':' || from_version AS key, coalesce(title, url) AS subject,
       'Edited: “' || coalesce(title, '(untitled)') || '”'
           || CASE WHEN len(fig_out) + len(fig_in) > 0
                   THEN ' (' || array_to_string(fig_out, ', ') || CASE WHEN len(fig_out) > 0 AND len(fig_in) > 0
                        THEN ' → ' ELSE '' END || array_to_string(fig_in, ', ') || ')' ELSE '' END AS title,
       concat_ws(' ',
           CASE WHEN len(fig_out) > 0 THEN 'Figures gone: ' || array_to_string(fig_out, ', ') || '.' END,
           CASE WHEN len(fig_in) > 0 THEN 'Figures new: ' || array_to_string(fig_in, ', ') || '.' END,
           CASE WHEN len(ent_out) > 0 THEN 'No longer named: ' || array_to_string(ent_out, ', ') || '.' END,
           CASE WHEN len(ent_in) > 0 THEN 'Newly named: ' || array_to_string(ent_in, ', ') || '.' END,
           'Version ' || from_version || ' of ' || strftime(from_stored_at, '%Y-%m-%d') || ' replaced on '
               || strftime(changed_at, '%Y-%m-%d %H:%M') || ' (+' || words_added || ' −' || words_removed
               || ' words; newsmon diff URL shows it).') AS detail,
       changed_at AS at,
       list_concat(
           list_transform(figures_removed, f -> {'title': 'before: ' || f.text, 'url': url,
               'source': coalesce(sitename, source), 'sentence': f.sentence, 'at': from_stored_at}),
           list_transform(figures_added, f -> {'title': 'after: ' || f.text, 'url': url,
               'source': coalesce(sitename, source), 'sentence': f.sentence, 'at': changed_at}),
           list_transform(entities_removed, e -> {'title': 'before: ' || e.name, 'url': url,
               'source': coalesce(sitename, source), 'sentence': e.sentence, 'at': from_stored_at}),
           list_transform(entities_added, e -> {'title': 'after: ' || e.name, 'url': url,
               'source': coalesce(sitename, source), 'sentence': e.sentence, 'at': changed_at})) AS evidence
FROM parts
