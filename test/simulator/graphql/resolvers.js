// Field resolvers over the simulator's corpus, agreeing with what REST returns for the
// same record: languages are the bytes of GET /languages in the same order, watchers
// are subscribers_count, issues the open issues, community files as in the community
// profile, README text the same bytes as the raw README. Resolvers take
// (source, args, context); a missing resolver reads source[fieldName].
import { unitHash } from '../random.js';
import { QueryError } from '../search-query.js';
import { SEARCH_CAP } from '../search-index.js';
import {
  blobUrl, codeOfConductText, contributingText, hasSecurityPolicy, ISSUE_TEMPLATE, RepoFiles,
} from './files.js';

const HTML = 'https://github.com';
const COLORS = {
  Python: '#3572A5', JavaScript: '#f1e05a', TypeScript: '#3178c6', Go: '#00ADD8', Rust: '#dea584', Java: '#b07219',
  'C++': '#f34b7d', C: '#555555', 'C#': '#178600', Ruby: '#701516', PHP: '#4F5D95', Shell: '#89e051', Kotlin: '#A97BFF',
  Swift: '#F05138', Dart: '#00B4AB', HTML: '#e34c26', CSS: '#563d7c', 'Jupyter Notebook': '#DA5B0B',
};

/** A field that resolves to null with an error of GitHub's `type` (NOT_FOUND...). */
export class FieldError {
  constructor(type, message) {
    this.type = type;
    this.message = message;
  }
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nodeId = (text) => Buffer.from(text).toString('base64');
const cursorOf = (index) => nodeId(`cursor:${index + 1}`);

function cursorIndex(cursor) {
  const m = /^cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('latin1'));
  if (!m) throw new FieldError('INVALID_CURSOR_ARGUMENTS', `\`${cursor}\` does not appear to be a valid cursor.`);
  return Number(m[1]);
}

/** One page of `items` for first/last/after/before, as {nodes, edges, pageInfo}. */
export function paginate(items, { first, last, after, before }, edgeOf = (node) => ({ node })) {
  let start = 0;
  let end = items.length;
  if (after != null) start = Math.min(end, cursorIndex(after));
  if (before != null) end = Math.max(start, Math.min(end, cursorIndex(before) - 1));
  if (first != null) end = Math.min(end, start + first);
  if (last != null) start = Math.max(start, end - last);
  const page = items.slice(start, end);
  const edges = page.map((item, i) => ({ cursor: cursorOf(start + i), ...edgeOf(item) }));
  return {
    nodes: edges.map((edge) => edge.node),
    edges,
    pageInfo: {
      startCursor: page.length ? cursorOf(start) : null, endCursor: page.length ? cursorOf(end - 1) : null,
      hasNextPage: end < items.length, hasPreviousPage: start > 0,
    },
  };
}

// The open pull requests among a repository's open_issues_count (REST counts both).
function openPullRequests(repo) {
  return Math.floor(repo.openIssues * 0.4 * unitHash(`open-pulls:${repo.id}`));
}

function ownerObject(owner) {
  return {
    __typename: owner.type, id: owner.node_id, login: owner.login, databaseId: owner.id, name: null,
    url: `${HTML}/${owner.login}`, avatarUrl: `https://avatars.githubusercontent.com/u/${owner.id}?v=4`,
  };
}

function language(name) {
  return { __typename: 'Language', id: nodeId(`08:Language${name}`), name, color: COLORS[name] ?? null };
}

/** "sort:stars-desc" and friends in a GraphQL search query → REST's sort and order. */
function sortQualifier(query) {
  let sort;
  let order;
  const q = query.replace(/(^|\s)sort:([a-z-]+?)(?:-(asc|desc))?(?=\s|$)/gi, (_, space, field, direction) => {
    sort = field.toLowerCase();
    order = direction?.toLowerCase() ?? 'desc';
    return space;
  });
  return { q: q.trim(), sort, order };
}

export class Resolvers {
  /** @param {{corpus, documents, search, faults}} services */
  constructor({ corpus, documents, search, faults }) {
    Object.assign(this, { corpus, documents, search, faults });
    this.files = new RepoFiles(documents);
    this.languageEntriesByBody = new WeakMap();  // languages document body → [[name, bytes]]
    const files = this.files;
    const self = this;

    this.Query = {
      rateLimit: (_, __, context) => context.rateLimit,
      nodes: (_, { ids }, context) => ids.map((id) => self.node(id, context)),
      node: (_, { id }, context) => self.node(id, context),
      repository: (_, { owner, name }, context) => {
        const repo = corpus.find(owner, name);
        if (!repo || faults.gone(repo)) return new FieldError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
        context.work?.repository(repo);
        return repo;
      },
      search: (_, args, context) => self.searchConnection(args, context),
      viewer: (_, __, context) => ({
        __typename: 'User', id: nodeId(`04:User${context.user.id}`), login: context.user.login, databaseId: context.user.id,
        name: `Simulated ${context.user.login}`, url: `${HTML}/${context.user.login}`,
        avatarUrl: `https://avatars.githubusercontent.com/u/${context.user.id}?v=4`,
      }),
    };

    const gitObject = (repo, node) => (node ? self.gitObject(repo, node) : null);
    this.Repository = {
      id: (repo) => repo.node_id,
      databaseId: (repo) => repo.id,
      nameWithOwner: (repo) => repo.fullName,
      owner: (repo) => ownerObject(repo.owner),
      url: (repo) => `${HTML}/${repo.fullName}`,
      homepageUrl: (repo) => repo.homepage,
      primaryLanguage: (repo) => (repo.language ? language(repo.language) : null),
      languages: (repo, args, context) => self.languages(repo, args, context),
      repositoryTopics: (repo, args) => ({
        totalCount: repo.topics.length,
        ...paginate(repo.topics, args, (name) => ({
          node: { id: nodeId(`014:RepositoryTopic${repo.id}:${name}`), url: `${HTML}/topics/${name}`, topic: { id: nodeId(`05:Topic${name}`), name } },
        })),
      }),
      licenseInfo: ({ license }) => (license ? {
        id: license.node_id, key: license.key, name: license.name, spdxId: license.spdx_id, nickname: null,
        url: license.key === 'other' ? null : `http://choosealicense.com/licenses/${license.key}/`,
      } : null),
      stargazerCount: (repo) => repo.stars,
      forkCount: (repo) => repo.forks,
      watchers: (repo, args) => ({ totalCount: repo.subscribers, ...paginate([], args) }),
      // REST's open_issues_count counts open pull requests too; GraphQL counts them apart.
      issues: (repo, { states }) => {
        const closed = Math.floor(repo.openIssues * 4 * unitHash(`closed-issues:${repo.id}`));
        const wanted = new Set(states?.length ? states : ['OPEN', 'CLOSED']);
        const open = repo.openIssues - openPullRequests(repo);
        const totalCount = (wanted.has('OPEN') ? open : 0) + (wanted.has('CLOSED') ? closed : 0);
        return { totalCount, pageInfo: paginate([], {}).pageInfo };
      },
      pullRequests: (repo, { states }) => {
        const closed = Math.floor(repo.openIssues * 2 * unitHash(`closed-pulls:${repo.id}`));
        const merged = Math.floor(repo.openIssues * 6 * unitHash(`merged-pulls:${repo.id}`));
        const wanted = new Set(states?.length ? states : ['OPEN', 'CLOSED', 'MERGED']);
        const totalCount = (wanted.has('OPEN') ? openPullRequests(repo) : 0) +
          (wanted.has('CLOSED') ? closed : 0) + (wanted.has('MERGED') ? merged : 0);
        return { totalCount, pageInfo: paginate([], {}).pageInfo };
      },
      diskUsage: (repo) => repo.size,
      defaultBranchRef: (repo) => ({ id: nodeId(`03:Ref${repo.id}:${repo.defaultBranch}`), name: repo.defaultBranch, prefix: 'refs/heads/' }),
      isFork: (repo) => repo.fork,
      isArchived: (repo) => repo.archived,
      isTemplate: (repo) => repo.isTemplate,
      isPrivate: () => false,
      createdAt: (repo) => iso(repo.createdAt),
      pushedAt: (repo) => iso(repo.pushedAt),
      updatedAt: (repo) => iso(repo.updatedAt),
      codeOfConduct: (repo) => (repo.community.codeOfConduct ? {
        id: nodeId('014:CodeOfConductcontributor_covenant'), key: 'contributor_covenant', name: 'Contributor Covenant',
        url: blobUrl(repo, 'CODE_OF_CONDUCT.md'), body: codeOfConductText(repo),
      } : null),
      contributingGuidelines: (repo) => (repo.community.contributing ? {
        body: contributingText(repo), url: blobUrl(repo, 'CONTRIBUTING.md'),
        resourcePath: `/${repo.fullName}/blob/${repo.defaultBranch}/CONTRIBUTING.md`,
      } : null),
      issueTemplates: (repo) => (repo.community.issueTemplate ? [{ ...ISSUE_TEMPLATE }] : []),
      pullRequestTemplates: (repo) => (repo.community.pullRequestTemplate
        ? [{ filename: 'PULL_REQUEST_TEMPLATE.md', body: files.resolve(repo, 'HEAD:.github/PULL_REQUEST_TEMPLATE.md').text }] : []),
      isSecurityPolicyEnabled: (repo) => hasSecurityPolicy(repo),
      object: (repo, { expression, oid }, context) => {
        const node = expression != null ? files.resolve(repo, expression) : oid != null ? files.byOid(repo, oid) : null;
        if (node) context.work?.gitObject();
        return gitObject(repo, node);
      },
    };

    // What a query reads of git objects, for its work (work.js); without a meter these
    // fields read their source, as fields without a resolver do.
    this.Tree = {
      entries: (tree, _, context) => {
        context.work?.treeEntries(tree.entries.length);
        return tree.entries;
      },
    };
    this.Blob = {
      text: (blob, _, context) => {
        context.work?.blobText();
        return blob.text;
      },
    };
    this.TreeEntry = {
      object: (entry, _, context) => {
        context.work?.gitObject();
        return entry.object;
      },
    };
  }

  /** A Repository record for a node id, or a NOT_FOUND error (unknown or gone). */
  node(id, context) {
    const m = /^010:Repository(\d+)$/.exec(Buffer.from(String(id), 'base64').toString('latin1'));
    const repo = m ? this.corpus.byId.get(Number(m[1])) : undefined;
    if (!repo || this.faults.gone(repo)) return new FieldError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
    context.work?.repository(repo);
    return repo;
  }

  /** Builds what queries of a repository read (its files and languages) ahead of use. */
  warm(repo) {
    this.files.files(repo);
    this.languageEntries(repo);
  }

  /** [[name, bytes]] of the REST languages document, largest first. */
  languageEntries(repo) {
    // The REST document itself, so both APIs give the same bytes in the same order.
    const { body } = this.documents.languages(repo);
    let parsed = this.languageEntriesByBody.get(body);
    if (!parsed) this.languageEntriesByBody.set(body, (parsed = Object.entries(JSON.parse(body.toString('utf8')))));
    return parsed;
  }

  languages(repo, { orderBy, ...page }, context) {
    const entries = this.languageEntries(repo).slice();
    if (orderBy?.direction === 'ASC') entries.sort((a, b) => a[1] - b[1]);
    else if (orderBy) entries.sort((a, b) => b[1] - a[1]);
    const connection = paginate(entries, page, ([name, size]) => ({ size, node: language(name) }));
    context.work?.languageEdges(connection.edges.length);
    return {
      totalCount: entries.length,
      totalSize: entries.reduce((sum, [, size]) => sum + size, 0),
      ...connection,
    };
  }

  searchConnection({ query, type, ...page }, context) {
    const counts = { codeCount: 0, discussionCount: 0, issueCount: 0, userCount: 0, wikiCount: 0 };
    if (type !== 'REPOSITORY') return { ...counts, repositoryCount: 0, ...paginate([], page) };
    const { q, sort, order } = sortQualifier(query);
    let records;
    try {
      records = this.search.results(q, sort, order);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      throw new FieldError('INVALID_SEARCH_QUERY', err.message);
    }
    // Like REST, only the first 1,000 results can be reached.
    const connection = paginate(records.slice(0, SEARCH_CAP), page);
    // Search lists repositories from its index: a broken repository is listed, not read.
    if (context.work) for (const repo of connection.nodes) context.work.repository(repo, { listed: true });
    return { ...counts, repositoryCount: records.length, ...connection };
  }

  gitObject(repo, node) {
    const base = {
      id: nodeId(`${node.kind === 'tree' ? '04:Tree' : '04:Blob'}${repo.id}:${node.oid}`), oid: node.oid,
      abbreviatedOid: node.oid.slice(0, 7), commitUrl: `${HTML}/${repo.fullName}/commit/${repo.defaultBranch}`,
    };
    if (node.kind === 'blob') {
      return { __typename: 'Blob', ...base, byteSize: node.byteSize, isBinary: false, isTruncated: false, text: node.text };
    }
    return { __typename: 'Tree', ...base, entries: node.entries.map((child) => this.treeEntry(repo, child)) };
  }

  treeEntry(repo, child) {
    const resolvers = this;
    const dot = child.name.lastIndexOf('.');
    return {
      name: child.name, type: child.kind, path: child.path, mode: RepoFiles.modeOf(child), oid: child.oid,
      extension: child.kind === 'blob' && dot > 0 ? child.name.slice(dot) : '',
      isGenerated: false, size: child.byteSize ?? 0,
      get object() { return resolvers.gitObject(repo, child); },
    };
  }

  /** The type name of an object returned for an abstract type. */
  static typeOf(value) {
    return value.__typename ?? (value.fullName !== undefined ? 'Repository' : null);
  }
}
