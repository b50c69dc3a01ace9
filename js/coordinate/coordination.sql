-- gh-ingest --coordinate: several processes ("hosts") run one job through the PostgreSQL
-- they already write to. Run by every host at join, under an advisory lock; idempotent.
--
-- Every lease hangs off one heartbeat per host (coord_hosts.expires_at, the database's
-- clock, so hosts' clocks never matter): a host that dies loses its users' lanes, its
-- queries and its unstored claims at once, when its heartbeat expires.
--
-- Keyed by GitHub login, never by a token nor a hash of one: the login comes from the
-- token check (GET /user).

-- One job: the same clusters file and selection against the same database. A job ends
-- when its last host leaves with nothing left to do; the next run starts a new one.
CREATE TABLE IF NOT EXISTS coord_jobs (
  id             bigserial PRIMARY KEY,
  key            text NOT NULL,                  -- what makes runs one job (job.js)
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_upper  bigint NOT NULL,                -- epoch s: the newest creation date searched, one for all
  check_host     text,                           -- a host checking its tokens: the others hold off
  check_until    timestamptz,
  finished_at    timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS coord_jobs_open_key ON coord_jobs (key) WHERE finished_at IS NULL;

CREATE TABLE IF NOT EXISTS coord_hosts (
  host        text PRIMARY KEY,                  -- hostname:pid:random
  job         bigint NOT NULL REFERENCES coord_jobs (id),
  label       text NOT NULL,                     -- hostname, for check-status
  joined_at   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  left_at     timestamptz,
  logins      text[] NOT NULL DEFAULT '{}',      -- its tokens' users
  masks       text[] NOT NULL DEFAULT '{}',      -- its tokens, masked (ghp_…k9Qz)
  wants       boolean NOT NULL DEFAULT true,     -- has work waiting for a lane
  progress    jsonb NOT NULL DEFAULT '{}'        -- its counts so far, for check-status
);
CREATE INDEX IF NOT EXISTS coord_hosts_job ON coord_hosts (job);
-- Since when the host has had nothing to do (waiting in coord_adopt); null while it works.
ALTER TABLE coord_hosts ADD COLUMN IF NOT EXISTS idle_since timestamptz;

-- One GitHub user's lane and quota, held by at most one live host at a time; `state` is
-- what the pool knows of it (buckets, pause, strikes, minute windows) and travels with
-- the lease.
CREATE TABLE IF NOT EXISTS coord_users (
  login        text PRIMARY KEY,
  holder       text,                             -- coord_hosts.host; null: free
  held_since   timestamptz,
  state        jsonb NOT NULL DEFAULT '{}',
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Cluster room for the job as a whole: hosts claim into it.
CREATE TABLE IF NOT EXISTS coord_clusters (
  job      bigint NOT NULL REFERENCES coord_jobs (id),
  cluster  text NOT NULL,
  wanted   bigint NOT NULL,
  claimed  bigint NOT NULL DEFAULT 0,
  stored_at_start bigint NOT NULL DEFAULT 0,     -- its stored count when the job opened
  PRIMARY KEY (job, cluster)
);

-- Every repository the job claimed, once: the host fetching it and the clusters that
-- found it.
CREATE TABLE IF NOT EXISTS coord_claims (
  job        bigint NOT NULL REFERENCES coord_jobs (id),
  repo_id    bigint NOT NULL,
  cluster    text NOT NULL,
  host       text NOT NULL,
  node_id    text,
  full_name  text,
  finders    text[] NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, repo_id)
);
CREATE INDEX IF NOT EXISTS coord_claims_host ON coord_claims (job, host);
-- Offered: the host that found it hands it to the job's idle hosts, with its search
-- fields (`data`, the engine's row) so that whoever adopts it need not fetch it by id.
ALTER TABLE coord_claims ADD COLUMN IF NOT EXISTS offered boolean NOT NULL DEFAULT false;
ALTER TABLE coord_claims ADD COLUMN IF NOT EXISTS data jsonb;
CREATE INDEX IF NOT EXISTS coord_claims_offered ON coord_claims (job) WHERE offered;
-- Taken from: the host that had claimed it when another took it over, its heartbeat
-- expired. Told once at that host's next beat (coord_sync's `taken`), should it come
-- back: it drops them from its queue instead of fetching them a second time.
ALTER TABLE coord_claims ADD COLUMN IF NOT EXISTS taken_from text;
CREATE INDEX IF NOT EXISTS coord_claims_taken ON coord_claims (taken_from) WHERE taken_from IS NOT NULL;

-- Each search query of the job, run by one host; a dead host's running query is run again
-- from its first page by another.
CREATE TABLE IF NOT EXISTS coord_queries (
  job        bigint NOT NULL REFERENCES coord_jobs (id),
  query      text NOT NULL,
  host       text NOT NULL,
  state      text NOT NULL DEFAULT 'running',    -- running | done | failed
  attempts   integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, query)
);

CREATE OR REPLACE FUNCTION coord_live(p_host text)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM coord_hosts h
                 WHERE h.host = p_host AND h.left_at IS NULL AND h.expires_at > clock_timestamp())
$$;

-- Joins the open job of `p_key` (creating it with `p_created_upper` and the clusters'
-- wanted counts when there is none) as `p_host`. Returns the job as every host must run it.
CREATE OR REPLACE FUNCTION coord_join(p_key text, p_host text, p_label text, p_ttl_ms integer,
                                      p_created_upper bigint, p_wanted jsonb, p_stored jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_job coord_jobs;
  v_new boolean := false;
BEGIN
  -- One joiner at a time per key: two first hosts must not open two jobs.
  PERFORM pg_advisory_xact_lock(hashtextextended('gh-ingest:job:' || p_key, 0));
  SELECT * INTO v_job FROM coord_jobs WHERE key = p_key AND finished_at IS NULL;
  IF NOT FOUND THEN
    INSERT INTO coord_jobs (key, created_upper) VALUES (p_key, p_created_upper) RETURNING * INTO v_job;
    INSERT INTO coord_clusters (job, cluster, wanted, stored_at_start)
      SELECT v_job.id, w.key, (w.value)::bigint, coalesce((p_stored->>w.key)::bigint, 0) FROM jsonb_each_text(p_wanted) w;
    v_new := true;
  END IF;
  INSERT INTO coord_hosts (host, job, label, expires_at)
    VALUES (p_host, v_job.id, p_label, clock_timestamp() + make_interval(secs => p_ttl_ms / 1000.0));
  RETURN jsonb_build_object(
    'job', v_job.id, 'new', v_new, 'createdUpper', v_job.created_upper,
    'wanted', (SELECT coalesce(jsonb_object_agg(c.cluster, c.wanted), '{}') FROM coord_clusters c WHERE c.job = v_job.id),
    'storedAtStart', (SELECT coalesce(jsonb_object_agg(c.cluster, c.stored_at_start), '{}') FROM coord_clusters c WHERE c.job = v_job.id));
END $$;

-- Asks to check this host's tokens (GET /user per token, serially): while it does, the
-- job's other hosts release their users' lanes, so no user has two requests in flight.
-- True once this host has the check and no other live host of the job holds a user.
CREATE OR REPLACE FUNCTION coord_begin_check(p_host text, p_ttl_ms integer)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_job bigint := (SELECT job FROM coord_hosts WHERE host = p_host);
BEGIN
  UPDATE coord_jobs j SET check_host = p_host,
         check_until = clock_timestamp() + make_interval(secs => p_ttl_ms / 1000.0)
   WHERE j.id = v_job
     AND (j.check_host IS NULL OR j.check_host = p_host OR j.check_until < clock_timestamp()
          OR NOT coord_live(j.check_host));
  IF NOT FOUND THEN RETURN false; END IF;
  RETURN NOT EXISTS (SELECT 1 FROM coord_users u JOIN coord_hosts h ON h.host = u.holder
                     WHERE h.job = v_job AND u.holder <> p_host AND coord_live(u.holder));
END $$;

-- The check is over: its logins and masks, and what GitHub said of each user's quota
-- (merged into coord_users.state by the lanes' next holder through the pool's rules).
CREATE OR REPLACE FUNCTION coord_end_check(p_host text, p_logins text[], p_masks text[], p_states jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_user record;
BEGIN
  UPDATE coord_hosts SET logins = p_logins, masks = p_masks WHERE host = p_host;
  FOR v_user IN SELECT s.key AS login, s.value AS state FROM jsonb_each(p_states) s LOOP
    INSERT INTO coord_users (login, state) VALUES (v_user.login, v_user.state)
    ON CONFLICT (login) DO NOTHING;
  END LOOP;
  UPDATE coord_jobs SET check_host = NULL, check_until = NULL
   WHERE id = (SELECT job FROM coord_hosts WHERE host = p_host) AND check_host = p_host;
END $$;

-- The heartbeat, once per tick per host: renews the host's leases, saves the state of the
-- users it holds, frees those it has drained, and hands it free users up to its fair
-- share. p_status: {wants, progress, held: {login: state}, released: {login: state}}.
-- Returns {grant: {login: state}, release: [login], lost: [login], taken: [repo id],
-- check: bool, hosts: n, idle: n}.
-- The job's other live hosts with nothing to do that could add capacity to this host's
-- work: those with a GitHub user this host does not have. A host whose users are all
-- this host's adds nothing by taking its repositories (its users' lanes come to this
-- host anyway, and moving work between hosts sharing lanes only moves the lanes after
-- it: measured, 1.05x-1.07x the time of one process with ten shared tokens).
CREATE OR REPLACE FUNCTION coord_idle_helpers(p_host text)
RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT count(*)::integer FROM coord_hosts h, coord_hosts me
   WHERE me.host = p_host AND h.job = me.job AND h.host <> p_host
     AND h.idle_since IS NOT NULL AND coord_live(h.host)
     AND NOT (h.logins <@ me.logins)
$$;

CREATE OR REPLACE FUNCTION coord_sync(p_host text, p_ttl_ms integer, p_status jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_me coord_hosts;
  v_checking boolean;
  v_held integer;
  v_share integer;
  v_mine integer;
  v_grant jsonb := '{}';
  v_release jsonb := '[]';
  v_user record;
  v_hosts integer;
  v_lost jsonb;
  v_taken jsonb;
BEGIN
  UPDATE coord_hosts
     SET expires_at = clock_timestamp() + make_interval(secs => p_ttl_ms / 1000.0),
         wants = coalesce((p_status->>'wants')::boolean, true),
         progress = coalesce(p_status->'progress', progress)
   WHERE host = p_host AND left_at IS NULL
  RETURNING * INTO v_me;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'gh-ingest: host % is no longer part of its job (its heartbeat expired and its work was taken over)', p_host
      USING ERRCODE = 'P0002';
  END IF;

  UPDATE coord_users u SET state = s.value, updated_at = clock_timestamp()
    FROM jsonb_each(coalesce(p_status->'held', '{}')) s
   WHERE u.login = s.key AND u.holder = p_host;
  -- Users this host says it holds that are no longer its own: its heartbeat expired (the
  -- process was stopped, its machine slept, its beats were late) and another host took
  -- them. It must stop sending for them now; renewing them would put two hosts on one
  -- user, and their pauses, ending at the same instant, would meet again and again.
  SELECT coalesce(jsonb_agg(s.key), '[]') INTO v_lost
    FROM jsonb_each(coalesce(p_status->'held', '{}')) s
   WHERE NOT EXISTS (SELECT 1 FROM coord_users u WHERE u.login = s.key AND u.holder = p_host);
  -- Likewise the repositories it had claimed and another host took over: told once.
  WITH told AS (
    UPDATE coord_claims SET taken_from = NULL WHERE taken_from = p_host RETURNING repo_id
  ) SELECT coalesce(jsonb_agg(repo_id), '[]') INTO v_taken FROM told;
  UPDATE coord_users u SET state = s.value, holder = NULL, held_since = NULL, updated_at = clock_timestamp()
    FROM jsonb_each(coalesce(p_status->'released', '{}')) s
   WHERE u.login = s.key AND u.holder = p_host;

  SELECT count(*) INTO v_hosts FROM coord_hosts h WHERE h.job = v_me.job AND coord_live(h.host);
  -- Orders this beat with a host's coord_begin_check (its UPDATE of the job row): else a
  -- beat that has not seen the check yet could grant itself lanes while the checker,
  -- not seeing those uncommitted grants, sends GET /user for the same users.
  PERFORM 1 FROM coord_jobs WHERE id = v_me.job FOR SHARE;
  v_checking := EXISTS (SELECT 1 FROM coord_jobs j WHERE j.id = v_me.job AND j.check_host IS NOT NULL
                          AND j.check_host <> p_host AND j.check_until > clock_timestamp()
                          AND coord_live(j.check_host));
  SELECT count(*) INTO v_held FROM coord_users WHERE holder = p_host;

  IF v_checking THEN
    -- Another host checks its tokens: hold every lane off until it is done.
    SELECT coalesce(jsonb_agg(login), '[]') INTO v_release FROM coord_users WHERE holder = p_host;
  ELSIF NOT v_me.wants THEN
    -- Nothing waiting here: give the lanes to hosts that have work.
    IF EXISTS (SELECT 1 FROM coord_hosts h WHERE h.job = v_me.job AND h.host <> p_host AND h.wants
                 AND coord_live(h.host) AND h.logins && v_me.logins) THEN
      SELECT coalesce(jsonb_agg(login), '[]') INTO v_release FROM coord_users WHERE holder = p_host;
    END IF;
  ELSE
    -- Fair share: this host's users divided among the live hosts that want work and
    -- have tokens of them, rounded up.
    SELECT count(*) INTO v_mine FROM unnest(v_me.logins);
    SELECT ceil(v_mine::numeric / greatest(1, count(*)))::integer INTO v_share
      FROM coord_hosts h
     WHERE h.job = v_me.job AND h.wants AND coord_live(h.host) AND h.logins && v_me.logins;
    IF v_held < v_share THEN
      FOR v_user IN
        SELECT u.login FROM coord_users u
         WHERE u.login = ANY (v_me.logins) AND (u.holder IS NULL OR NOT coord_live(u.holder))
         ORDER BY u.holder IS NOT NULL, u.updated_at
         LIMIT v_share - v_held
         FOR UPDATE SKIP LOCKED
      LOOP
        UPDATE coord_users SET holder = p_host, held_since = clock_timestamp(), updated_at = clock_timestamp()
         WHERE login = v_user.login
        RETURNING jsonb_build_object(login, state) || v_grant INTO v_grant;
      END LOOP;
    ELSIF v_held > v_share AND EXISTS (
        SELECT 1 FROM coord_hosts h
         WHERE h.job = v_me.job AND h.host <> p_host AND h.wants AND coord_live(h.host)
           AND h.logins && v_me.logins
           AND (SELECT count(*) FROM coord_users u WHERE u.holder = h.host) < v_share - 1) THEN
      -- Another host with work holds fewer than its share: give back the surplus.
      SELECT coalesce(jsonb_agg(login), '[]') INTO v_release
        FROM (SELECT login FROM coord_users WHERE holder = p_host ORDER BY held_since DESC
              LIMIT v_held - v_share) extra;
    END IF;
  END IF;
  RETURN jsonb_build_object('grant', v_grant, 'release', v_release, 'lost', v_lost, 'taken', v_taken,
    'check', v_checking, 'hosts', v_hosts, 'idle', coord_idle_helpers(p_host));
END $$;

-- Claims found repositories for the job. p_items: [{id, nodeId, fullName, cluster, row?}]
-- in the host's claim order. A repository is this host's when nobody claimed it yet and
-- its cluster has room, or when the host that claimed it died before it was stored. Every
-- finder is recorded. While other hosts of the job are idle, a share of the accepted
-- ones that came with their row (idle / (idle + 1), the last ones) is offered to them
-- instead. Returns {accepted: [id], offered: [id], full: [cluster]}: offered ones are
-- among the accepted.
CREATE OR REPLACE FUNCTION coord_claim(p_host text, p_items jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_job bigint := (SELECT job FROM coord_hosts WHERE host = p_host);
  v_item record;
  v_claim coord_claims;
  v_accepted bigint[] := '{}';
  v_offered bigint[] := '{}';
  v_room boolean;
  v_idle bigint;
BEGIN
  -- One claimer of the job at a time: claims are one call per search page, a few a
  -- second for the whole job, and serialising them makes the check-then-insert below
  -- exact and free of deadlocks (two pages listing the same ids in different orders).
  PERFORM pg_advisory_xact_lock(hashtextextended('gh-ingest:claims', v_job));
  FOR v_item IN
    SELECT (e->>'id')::bigint AS id, e->>'nodeId' AS node_id, e->>'fullName' AS full_name, e->>'cluster' AS cluster
      FROM jsonb_array_elements(p_items) e
  LOOP
    SELECT * INTO v_claim FROM coord_claims WHERE job = v_job AND repo_id = v_item.id FOR UPDATE;
    IF FOUND THEN
      IF v_claim.host <> p_host AND NOT coord_live(v_claim.host)
         AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = v_item.id) THEN
        UPDATE coord_claims SET host = p_host, taken_from = host, claimed_at = clock_timestamp(),
               finders = (SELECT array_agg(DISTINCT f) FROM unnest(finders || v_item.cluster) f)
         WHERE job = v_job AND repo_id = v_item.id;
        v_accepted := v_accepted || v_item.id;
      ELSIF NOT v_item.cluster = ANY (v_claim.finders) THEN
        UPDATE coord_claims SET finders = finders || v_item.cluster WHERE job = v_job AND repo_id = v_item.id;
      END IF;
      CONTINUE;
    END IF;
    -- The cluster's row lock orders claims of one cluster across hosts.
    UPDATE coord_clusters SET claimed = claimed + 1
     WHERE job = v_job AND cluster = v_item.cluster AND claimed < wanted
    RETURNING true INTO v_room;
    IF v_room IS NULL THEN CONTINUE; END IF;
    INSERT INTO coord_claims (job, repo_id, cluster, host, node_id, full_name, finders)
      VALUES (v_job, v_item.id, v_item.cluster, p_host, v_item.node_id, v_item.full_name, ARRAY[v_item.cluster])
    ON CONFLICT DO NOTHING;
    v_accepted := v_accepted || v_item.id;
    v_room := NULL;
  END LOOP;
  v_idle := coord_idle_helpers(p_host);
  IF v_idle > 0 THEN
    WITH offer AS (
      SELECT (e->>'id')::bigint AS id, e->'row' AS data
        FROM jsonb_array_elements(p_items) WITH ORDINALITY AS l(e, n)
       WHERE (e->>'id')::bigint = ANY (v_accepted) AND jsonb_typeof(e->'row') = 'object'
       ORDER BY n DESC
       LIMIT floor(cardinality(v_accepted) * v_idle::numeric / (v_idle + 1))
    ), marked AS (
      UPDATE coord_claims c SET offered = true, data = o.data
        FROM offer o WHERE c.job = v_job AND c.repo_id = o.id
      RETURNING c.repo_id
    ) SELECT coalesce(array_agg(repo_id), '{}') INTO v_offered FROM marked;
  END IF;
  RETURN jsonb_build_object(
    'accepted', to_jsonb(v_accepted),
    'offered', to_jsonb(v_offered),
    'full', (SELECT coalesce(jsonb_agg(c.cluster), '[]') FROM coord_clusters c
              WHERE c.job = v_job AND c.claimed >= c.wanted));
END $$;

-- A host offers claimed repositories it has not started to the job's idle hosts:
-- p_items [{id, row}], `row` their search fields. Returns the ids now offered (this
-- host's claims, not stored, not offered already); coord_adopt hands them out.
CREATE OR REPLACE FUNCTION coord_offer(p_host text, p_items jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_job bigint := (SELECT job FROM coord_hosts WHERE host = p_host);
  v_offered jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('gh-ingest:claims', v_job));
  WITH offer AS (
    SELECT (e->>'id')::bigint AS id, e->'row' AS data
      FROM jsonb_array_elements(p_items) e
     WHERE jsonb_typeof(e->'row') = 'object'
  ), marked AS (
    UPDATE coord_claims c SET offered = true, data = o.data
      FROM offer o
     WHERE c.job = v_job AND c.repo_id = o.id AND c.host = p_host AND NOT c.offered
       AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id)
    RETURNING c.repo_id
  ) SELECT coalesce(jsonb_agg(repo_id), '[]') INTO v_offered FROM marked;
  RETURN v_offered;
END $$;

-- Repositories claimed but gone from GitHub (deleted, private): their room is the
-- cluster's again.
CREATE OR REPLACE FUNCTION coord_unclaim(p_host text, p_ids bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_job bigint := (SELECT job FROM coord_hosts WHERE host = p_host);
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('gh-ingest:claims', v_job));
  WITH gone AS (
    DELETE FROM coord_claims WHERE job = v_job AND host = p_host AND repo_id = ANY (p_ids) RETURNING cluster
  )
  UPDATE coord_clusters c SET claimed = c.claimed - g.n
    FROM (SELECT cluster, count(*) AS n FROM gone GROUP BY cluster) g
   WHERE c.job = v_job AND c.cluster = g.cluster;
END $$;

-- Whether this host runs `p_query`: nobody ran it yet, or its host died mid-way. A host
-- already running a query leaves a new one to a live host that runs none (one still
-- checking its tokens, one waiting for work): that host takes it when it asks, or adopts
-- it (coord_adopt) once it has nothing else, so the job's queries spread over its hosts
-- instead of going to whichever started first.
CREATE OR REPLACE FUNCTION coord_take_query(p_host text, p_query text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_job bigint := (SELECT job FROM coord_hosts WHERE host = p_host);
BEGIN
  IF NOT EXISTS (SELECT 1 FROM coord_queries WHERE job = v_job AND query = p_query)
     AND EXISTS (SELECT 1 FROM coord_queries WHERE job = v_job AND host = p_host AND state = 'running')
     AND EXISTS (SELECT 1 FROM coord_hosts h
                  WHERE h.job = v_job AND h.host <> p_host AND coord_live(h.host)
                    AND NOT EXISTS (SELECT 1 FROM coord_queries q
                                     WHERE q.job = v_job AND q.host = h.host AND q.state = 'running')) THEN
    RETURN false;
  END IF;
  INSERT INTO coord_queries (job, query, host) VALUES (v_job, p_query, p_host) ON CONFLICT DO NOTHING;
  IF FOUND THEN RETURN true; END IF;
  UPDATE coord_queries SET host = p_host, attempts = attempts + 1, updated_at = clock_timestamp()
   WHERE job = v_job AND query = p_query AND state = 'running' AND host <> p_host AND NOT coord_live(host);
  RETURN FOUND;
END $$;

CREATE OR REPLACE FUNCTION coord_query_done(p_host text, p_query text, p_complete boolean)
RETURNS void LANGUAGE sql AS $$
  UPDATE coord_queries SET state = CASE WHEN p_complete THEN 'done' ELSE 'failed' END, updated_at = clock_timestamp()
   WHERE job = (SELECT job FROM coord_hosts WHERE host = p_host) AND query = p_query AND host = p_host
$$;

-- This host has nothing left: it takes over the work of hosts that died (their running
-- queries, their claimed repositories not stored) and the queries of its own list that
-- no host took (left to it by a busier host). Returns {queries, owed, wait}: wait is
-- true while live hosts still run queries (one of them may die yet).
CREATE OR REPLACE FUNCTION coord_adopt(p_host text, p_queries text[])
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_job bigint := (SELECT job FROM coord_hosts WHERE host = p_host);
  v_queries jsonb;
  v_untaken jsonb;
  v_owed jsonb;
  v_live bigint;
  v_left bigint;
  v_idle bigint;
  v_offered bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('gh-ingest:claims', v_job));
  WITH taken AS (
    UPDATE coord_queries q SET host = p_host, attempts = q.attempts + 1, updated_at = clock_timestamp()
     WHERE q.job = v_job AND q.state = 'running' AND q.host <> p_host AND NOT coord_live(q.host)
    RETURNING q.query
  ) SELECT coalesce(jsonb_agg(query), '[]') INTO v_queries FROM taken;
  -- Queries nobody took, in the list's order, a fair share of them: what is left over
  -- divided by the live hosts. All of them to the first host to go idle would leave the
  -- others waiting while it runs them one after another (measured: 12 of 16 queries on
  -- one of four hosts, each with its own tokens).
  SELECT count(*) INTO v_live FROM coord_hosts h WHERE h.job = v_job AND coord_live(h.host);
  SELECT count(DISTINCT l.query) INTO v_left FROM unnest(p_queries) AS l(query)
   WHERE NOT EXISTS (SELECT 1 FROM coord_queries q WHERE q.job = v_job AND q.query = l.query);
  WITH untaken AS (
    SELECT l.query, min(l.n) AS n FROM unnest(p_queries) WITH ORDINALITY AS l(query, n)
     WHERE NOT EXISTS (SELECT 1 FROM coord_queries q WHERE q.job = v_job AND q.query = l.query)
     GROUP BY l.query
     ORDER BY n
     LIMIT ceil(v_left::numeric / greatest(v_live, 1))
  ), taken AS (
    INSERT INTO coord_queries (job, query, host)
    SELECT v_job, u.query, p_host FROM untaken u
    ON CONFLICT DO NOTHING
    RETURNING query
  ) SELECT coalesce(jsonb_agg(query), '[]') INTO v_untaken FROM taken;
  v_queries := v_queries || v_untaken;
  -- Offered repositories (this host's own too, when it is idle before anyone took them):
  -- a fair share of them among the idle hosts, this one counted.
  SELECT count(*) INTO v_idle FROM coord_hosts h
   WHERE h.job = v_job AND (h.host = p_host OR (h.idle_since IS NOT NULL AND coord_live(h.host)));
  SELECT count(*) INTO v_offered FROM coord_claims c WHERE c.job = v_job AND c.offered;
  WITH share AS (
    SELECT c.repo_id FROM coord_claims c
     WHERE c.job = v_job AND c.offered
     ORDER BY c.claimed_at, c.repo_id
     LIMIT ceil(v_offered::numeric / greatest(v_idle, 1))
  ), taken AS (
    UPDATE coord_claims c SET host = p_host, offered = false, claimed_at = clock_timestamp()
      FROM share s
     WHERE c.job = v_job AND c.repo_id = s.repo_id
    RETURNING c.repo_id, c.cluster, c.node_id, c.full_name, c.finders, c.data
  ) SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', repo_id, 'cluster', cluster, 'nodeId', node_id,
                                                 'fullName', full_name, 'clusters', finders, 'row', data))), '[]')
      INTO v_owed FROM taken;
  -- A dead host's claims not stored (with their row when they had been offered).
  WITH taken AS (
    UPDATE coord_claims c SET host = p_host, taken_from = c.host, offered = false, claimed_at = clock_timestamp()
     WHERE c.job = v_job AND c.host <> p_host AND NOT coord_live(c.host)
       AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id)
    RETURNING c.repo_id, c.cluster, c.node_id, c.full_name, c.finders, c.data
  ) SELECT v_owed || coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', repo_id, 'cluster', cluster, 'nodeId', node_id,
                                                 'fullName', full_name, 'clusters', finders, 'row', data))), '[]')
      INTO v_owed FROM taken;
  UPDATE coord_hosts SET idle_since = CASE
           WHEN jsonb_array_length(v_queries) > 0 OR jsonb_array_length(v_owed) > 0 THEN NULL
           ELSE coalesce(idle_since, clock_timestamp()) END
   WHERE host = p_host;
  -- Wait while a live host still runs a query or still has claimed repositories to
  -- store (either may die before it is done, and then its work is this host's), or
  -- while queries nobody took are left (the next call takes a share of them).
  RETURN jsonb_build_object(
    'queries', v_queries, 'owed', v_owed,
    'wait', v_left > jsonb_array_length(v_untaken)
         OR EXISTS (SELECT 1 FROM coord_queries q WHERE q.job = v_job AND q.state = 'running'
                      AND q.host <> p_host AND coord_live(q.host))
         OR EXISTS (SELECT 1 FROM coord_hosts h
                     WHERE h.job = v_job AND h.host <> p_host AND coord_live(h.host)
                       AND EXISTS (SELECT 1 FROM coord_claims c
                                    WHERE c.job = v_job AND c.host = h.host
                                      AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id))));
END $$;

-- The host leaves: its users are freed with their last state, and the job is finished
-- when no live host is left and no query is still running. `p_complete`: its run ended
-- with nothing left to do, so the queries it still runs were cut short by the job's
-- cluster quotas (done) and its unstored claims are its pending work; otherwise
-- (stopped, failed) both stay for another host to adopt.
CREATE OR REPLACE FUNCTION coord_leave(p_host text, p_states jsonb, p_progress jsonb, p_complete boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_job bigint := (SELECT job FROM coord_hosts WHERE host = p_host);
  v_finished boolean := false;
BEGIN
  IF p_complete THEN
    UPDATE coord_queries SET state = 'done', updated_at = clock_timestamp()
     WHERE job = v_job AND host = p_host AND state = 'running';
    -- What it claimed and could not store it recorded as pending, for the next run:
    -- no other host of this job waits for it or adopts it.
    PERFORM pg_advisory_xact_lock(hashtextextended('gh-ingest:claims', v_job));
    DELETE FROM coord_claims c
     WHERE c.job = v_job AND c.host = p_host AND NOT c.offered
       AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.id = c.repo_id);
  END IF;
  UPDATE coord_users u SET state = coalesce(p_states->u.login, u.state), holder = NULL, held_since = NULL,
         updated_at = clock_timestamp()
   WHERE u.holder = p_host;
  UPDATE coord_hosts SET left_at = clock_timestamp(), progress = coalesce(p_progress, progress) WHERE host = p_host;
  PERFORM 1 FROM coord_jobs WHERE id = v_job FOR UPDATE;
  IF NOT EXISTS (SELECT 1 FROM coord_hosts h WHERE h.job = v_job AND coord_live(h.host))
     AND NOT EXISTS (SELECT 1 FROM coord_queries q WHERE q.job = v_job AND q.state = 'running') THEN
    UPDATE coord_jobs SET finished_at = clock_timestamp() WHERE id = v_job AND finished_at IS NULL;
    v_finished := true;
  END IF;
  RETURN jsonb_build_object('finished', v_finished);
END $$;
