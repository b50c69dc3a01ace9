// Search results that move while a client pages (faults.drift). GitHub's search orders
// follow live data: Sourcegraph's "GitHub API Oddities" (docs.sourcegraph.com/dev/
// background-information/github-api-oddities, "Search result ordering inconsistencies")
// reports that "the repository data can change while we're paginating through the
// results", so that a repository moving onto a page already fetched is missed, and of
// updated, stars, help-wanted and best match that "all of them can change while
// paginating through results". A repository starred between two page requests moves up, possibly to a page
// the client already fetched (missed), and pushes the one at that page's end onto the
// next page (seen twice); repositories just below a query's stars: floor cross it.
//
// After every `every`-th served REST search page, `count` repositories gain stars,
// chosen from that page's query (deterministic for a given sequence of search requests:
// the n-th event draws from a PRNG seeded with the corpus seed and n):
//   climber  a repository of one of the two pages after the served one moves ahead of a
//            position on the pages served so far (stars: that position's stars + 1), so
//            an in-order pager misses it and sees the served page's last one again
//   riser    (a `floorShare` of them, when the query has a stars: lower bound) one of
//            the repositories just below the floor that otherwise match the query is
//            lifted onto it, so total_count grows and the repository now matches
// Stars change through corpus.update(): the repository's REST and GraphQL documents,
// ETags and the search results are rebuilt; updated_at moves (so sort=updated moves the
// repository to the top), pushed_at stays (nothing was pushed). GraphQL search pages do
// not trigger drift (they are resolved inside a query) but see it. The corpus itself
// changes, also for other simulators sharing it; sim.reset() does not undo it.
import { Random } from './random.js';
import { rangeOf } from './search-query.js';

const CLIMB_FROM_PAGES = 2;  // a climber comes from one of the next pages after the served one
const RISER_CANDIDATES = 5;  // a riser is one of the repositories closest below the floor

const STARS_TERM = /(^|\s)stars:(\S+)/i;
const integerInterval = (text) => {
  if (!/^\d+$/.test(text)) throw new RangeError(text);
  return [Number(text), Number(text) + 1];
};

/** The query's stars: range {lo, hi, text: the term's value} when it has a lower bound > 0, else null. */
export function starsFloor(q) {
  const m = STARS_TERM.exec(q);
  if (!m) return null;
  let lo;
  let hi;
  try {
    [lo, hi] = rangeOf(m[2], integerInterval);
  } catch {
    return null;
  }
  return Number.isFinite(lo) && lo > 0 ? { lo, hi, value: m[2] } : null;
}

/** Whether an order puts more stars first (so that a climber gains stars to move up). */
function byStarsDescending(sort, order) {
  return sort === undefined || sort === null || sort === '' || (sort === 'stars' && order !== 'asc');
}

export class SearchDrift {
  /** @param {{corpus, search: SearchIndex, faults: FaultPlan, stats: Stats, seed}} services */
  constructor({ corpus, search, faults, stats, seed }) {
    Object.assign(this, { corpus, search, faults, stats, seed });
    this.reset();
  }

  /** A fresh start: pages and events counted from zero again (the corpus keeps its stars). */
  reset() {
    this.pages = 0;
    this.events = 0;
  }

  /** A search page was served for (q, sort, order, page, perPage): maybe a drift event. */
  served(search) {
    const rule = this.faults.config.drift;
    if (!rule) return;
    this.pages++;
    if (this.pages % rule.every === 0) this.drift(search, rule);
  }

  drift({ q, sort, order, page, perPage }, rule) {
    const random = new Random(`drift:${this.seed}:${this.events++}`);
    const records = this.search.results(q, sort, order);
    const servedEnd = Math.min(records.length, page * perPage);
    // Risers only where the switch allows them; each kind stands in for the other when
    // it has no candidate (no page after the served one, nobody just below the floor).
    const floor = rule.floorShare > 0 ? starsFloor(q) : null;
    const chosen = new Map();  // repo → new stars, all chosen on the same snapshot
    for (let i = 0; i < rule.count; i++) {
      const climber = () => this.climber(records, servedEnd, perPage, sort, order, random, chosen, rule);
      const riser = () => (floor ? this.riser(q, floor, random, chosen, rule) : null);
      const move = floor !== null && random.next() < rule.floorShare ? riser() ?? climber() : climber() ?? riser();
      if (move) chosen.set(move.repo, move.stars);
    }
    if (chosen.size === 0) return;
    for (const [repo, stars] of chosen) this.corpus.update(repo.fullName, { stars });
    this.stats.recordDrift([...chosen.keys()].map((repo) => repo.id));
  }

  /** {repo, stars}: a repository from the next pages that moves ahead onto the served ones, or null. */
  climber(records, servedEnd, perPage, sort, order, random, chosen, rule) {
    const candidates = records.slice(servedEnd, servedEnd + CLIMB_FROM_PAGES * perPage).filter((repo) => !chosen.has(repo));
    if (candidates.length === 0 || servedEnd === 0) return null;
    const repo = random.pick(candidates);
    if (rule.gain !== null) return { repo, stars: repo.stars + rule.gain };
    if (byStarsDescending(sort, order)) {
      // Just ahead of a repository already served: it lands at or before that position.
      const target = records[random.int(0, servedEnd - 1)];
      return { repo, stars: Math.max(repo.stars, target.stars) + 1 };
    }
    // Other orders: a few stars; sort=updated moves it anyway (updated_at is bumped).
    return { repo, stars: repo.stars + random.int(1, 10) };
  }

  /** {repo, stars}: a repository just below the query's stars floor lifted onto it, or null. */
  riser(q, floor, random, chosen, rule) {
    const window = Math.max(5, Math.ceil(floor.lo / 4));
    const below = q.replace(STARS_TERM, (_, space) => `${space}stars:${Math.max(0, floor.lo - window)}..${floor.lo - 1}`);
    const candidates = this.search.results(below, 'stars', 'desc').slice(0, RISER_CANDIDATES).filter((repo) => !chosen.has(repo));
    if (candidates.length === 0) return null;
    const repo = random.pick(candidates);
    const stars = rule.gain !== null ? repo.stars + rule.gain : Math.min(floor.hi - 1, floor.lo + random.int(0, 2));
    return stars > repo.stars ? { repo, stars } : null;
  }
}
