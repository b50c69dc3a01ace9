// Warm-up: builds every repository's documents before the first request, so that a
// benchmark measures serving them, not making them up. Building a repository's REST
// documents (JSON, ETag, gzip) costs ~0.4 ms the first time and serving one ~0.05 ms;
// GitHub serves from its stores, so only the serving is its part. Costs memory: about
// 10 KB per repository for 'rest', 5 KB for 'search'.
import { precompress } from './reply.js';

export const WARM_PARTS = ['search', 'rest', 'graphql'];

/** Throws when `parts` names an unknown part: before a simulator starts listening. */
export function checkWarmParts(parts) {
  for (const part of parts) {
    if (!WARM_PARTS.includes(part)) throw new Error(`unknown warm part '${part}' (known: ${WARM_PARTS.join(', ')})`);
  }
}

/**
 * Builds the documents that `parts` need for every repository of the corpus:
 *   search   the search index, and the search item of each repository (search pages
 *            are built from them)
 *   rest     the repository, languages, raw README and community profile documents,
 *            each with its ETag and gzip body
 *   graphql  what GraphQL queries read: languages, the raw README and the files at
 *            HEAD (with their git object ids)
 * `services`: {corpus, documents, search (SearchIndex), graphql (GraphqlEndpoint)}.
 * Returns {repositories, ms}.
 */
export function warmDocuments({ corpus, documents, search: searchIndex, graphql: graphqlEndpoint }, parts) {
  checkWarmParts(parts);
  const started = performance.now();
  const search = parts.includes('search');
  const rest = parts.includes('rest');
  const graphql = parts.includes('graphql');
  if (search) searchIndex.warm();
  for (const repo of corpus.repositories) {
    const fieldsText = search && rest ? documents.fieldsText(repo) : undefined;
    if (search) documents.searchItem(repo, fieldsText);
    if (rest) {
      precompress(documents.repository(repo, fieldsText));
      precompress(documents.community(repo));
    }
    if (rest || graphql) {
      precompress(documents.languages(repo));
      const readme = documents.readme(repo);
      // Clients read the README raw (the engine and Octokit alike); its JSON envelope
      // (base64) stays built on first use.
      if (readme && rest) {
        precompress(readme.raw);
        void readme.raw.etag;
      }
    }
    if (graphql) graphqlEndpoint.warm(repo);
  }
  return { repositories: corpus.size, ms: performance.now() - started };
}
