-- name: top_stories
-- about: The week's top stories. Copies of one story (syndicated or re-published
--   articles whose sentence sets overlap by Jaccard >= similarity, or with the
--   same title of 5+ words once a " - Source" suffix is cut) are grouped; stories
--   rank by the percentile of their best relevance in the week plus
--   source_weight * ln(number of distinct sources).
-- param: week week = latest : ISO week YYYY-Www; latest week with articles when omitted
-- param: limit int = 10 : how many stories
-- param: similarity float = 0.5 : share of sentences two articles must have in common (Jaccard) to be copies
-- param: source_weight float = 0.5 : weight of ln(distinct sources) against relevance percentile
-- param: min_relevance float = 0 : topic filter: minimum article relevance
-- param: terms terms = none : topic filter: comma-separated matched terms, any of which must match
-- row: one story: rank, story_id (its lead article), title, url, source, published_at
--   (the earliest copy), n_articles, n_sources, sources (list), max_relevance, score,
--   copies (list of {source, title, url, published_at}, lead first), description and
--   lead_text (the lead article's description and the start of its text, for a summary)
WITH RECURSIVE
week AS MATERIALIZED (
    SELECT article_id, canonical_url, source, title, relevance, article_at, text, description
    FROM week_articles($week::DATE, $min_relevance, $terms)
),
arts AS MATERIALIZED (
    SELECT article_id, canonical_url AS link, source, title, relevance, article_at,
           -- the title without a trailing " - Source Name" / " | Site" part
           lower(trim(regexp_replace(regexp_replace(coalesce(title, ''),
                 '\s+[-|–—:]\s+[^-|–—:]{1,40}$', ''), '[^[:alnum:]]+', ' ', 'g'))) AS norm_title
    FROM week
),
-- each article's distinct sentences (cut at ". "), hashed; fragments under 20 bytes skipped
sentences AS MATERIALIZED (
    SELECT DISTINCT article_id, hash(s) AS h
    FROM (SELECT article_id, unnest(string_split(replace(text, chr(10), ' '), '. ')) AS s FROM week)
    WHERE strlen(s) >= 20
),
sizes AS (SELECT article_id, count(*) AS n FROM sentences GROUP BY article_id),
-- articles sharing a sentence; one in more than 50 articles is boilerplate, not syndication
sharing AS (
    SELECT list(article_id ORDER BY article_id) AS ids
    FROM sentences GROUP BY h HAVING count(*) BETWEEN 2 AND 50
),
overlap AS (
    SELECT ids[i] AS a, ids[j] AS b, count(*) AS common
    FROM sharing,
         LATERAL (SELECT unnest(range(1, len(ids) + 1)) AS i) x,
         LATERAL (SELECT unnest(range(i + 1, len(ids) + 1)) AS j) y
    GROUP BY ALL
),
near_copies AS (
    SELECT o.a, o.b
    FROM overlap o JOIN sizes sa ON sa.article_id = o.a JOIN sizes sb ON sb.article_id = o.b
    WHERE o.common >= $similarity * (sa.n + sb.n - o.common)
),
same_title AS (
    SELECT x.article_id AS a, y.article_id AS b
    FROM arts x JOIN arts y ON x.norm_title = y.norm_title AND x.article_id < y.article_id
    WHERE len(string_split(x.norm_title, ' ')) >= 5
),
edges AS (
    SELECT a, b FROM near_copies UNION SELECT a, b FROM same_title
),
links AS (SELECT a, b FROM edges UNION ALL SELECT b, a FROM edges),
-- connected components of the linked articles: each reaches every id of its component
reach(node, root) AS (
    SELECT DISTINCT a, a FROM links
    UNION
    SELECT l.b, r.root FROM reach r JOIN links l ON l.a = r.node
),
story_of AS MATERIALIZED (
    SELECT a.article_id, coalesce(min(r.root), a.article_id) AS story
    FROM arts a LEFT JOIN reach r ON r.node = a.article_id
    GROUP BY a.article_id
),
stories AS (
    SELECT s.story,
           count(*) AS n_articles,
           count(DISTINCT a.source) AS n_sources,
           max(a.relevance) AS max_relevance,
           min(a.article_at) AS published_at,
           -- the lead article: most relevant, then earliest
           first(a.article_id ORDER BY a.relevance DESC NULLS LAST, a.article_at, a.article_id) AS story_id
    FROM story_of s JOIN arts a USING (article_id)
    GROUP BY s.story
),
top AS MATERIALIZED (
    SELECT *, percent_rank() OVER (ORDER BY coalesce(max_relevance, 0)) + $source_weight * ln(n_sources) AS score
    FROM stories
    ORDER BY score DESC, n_sources DESC, published_at, story_id
    LIMIT $limit
),
copies AS (
    SELECT s.story,
           list_sort(list_distinct(list(a.source))) AS sources,
           list({'source': a.source, 'title': a.title, 'url': a.link, 'published_at': a.article_at}
                ORDER BY a.article_id = t.story_id DESC, a.relevance DESC NULLS LAST, a.article_at, a.article_id)
               AS copies
    FROM top t JOIN story_of s USING (story) JOIN arts a USING (article_id)
    GROUP BY s.story
)
SELECT row_number() OVER (ORDER BY t.score DESC, t.n_sources DESC, t.published_at, t.story_id) AS rank,
       t.story_id, lead.title, lead.link AS url, lead.source, t.published_at, t.n_articles, t.n_sources,
       c.sources, t.max_relevance, round(t.score, 4) AS score, c.copies,
       w.description, left(w.text, 1500) AS lead_text
FROM top t JOIN copies c USING (story) JOIN arts lead ON lead.article_id = t.story_id
JOIN week w ON w.article_id = t.story_id
ORDER BY rank;
