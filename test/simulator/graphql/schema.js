// The subset of GitHub's GraphQL schema the simulator answers: types, fields, their
// argument types (in GraphQL type notation) and which object types implement which
// interfaces or belong to which unions. Resolvers live in resolvers.js.
import { parseType } from './parser.js';

const CONNECTION_ARGS = { first: 'Int', last: 'Int', after: 'String', before: 'String' };
const PAGE_INFO = { pageInfo: 'PageInfo!' };
const NODE = { id: 'ID!' };
const GIT_OBJECT = { ...NODE, oid: 'GitObjectID!', abbreviatedOid: 'String!', commitUrl: 'URI!' };
const OWNER = { ...NODE, login: 'String!', url: 'URI!', avatarUrl: 'URI!' };
const ACTOR = { ...OWNER, databaseId: 'Int', name: 'String' };

// Field notation: 'Type' or {type, args: {name: 'Type' | {type, defaultValue}}}.
const DEFINITIONS = {
  Query: {
    kind: 'OBJECT',
    fields: {
      rateLimit: 'RateLimit',  // dryRun is not simulated
      nodes: { type: '[Node]!', args: { ids: '[ID!]!' } },
      node: { type: 'Node', args: { id: 'ID!' } },
      repository: { type: 'Repository', args: { owner: 'String!', name: 'String!', followRenames: { type: 'Boolean', defaultValue: true } } },
      search: { type: 'SearchResultItemConnection!', args: { query: 'String!', type: 'SearchType!', ...CONNECTION_ARGS } },
      viewer: 'User!',
    },
  },
  Mutation: { kind: 'OBJECT', fields: {} },
  Subscription: { kind: 'OBJECT', fields: {} },
  RateLimit: {
    kind: 'OBJECT',
    fields: { cost: 'Int!', limit: 'Int!', nodeCount: 'Int!', remaining: 'Int!', resetAt: 'DateTime!', used: 'Int!' },
  },
  Node: { kind: 'INTERFACE', fields: NODE },
  RepositoryOwner: { kind: 'INTERFACE', fields: OWNER },
  GitObject: { kind: 'INTERFACE', fields: GIT_OBJECT },
  SearchResultItem: { kind: 'UNION', types: ['Repository', 'User', 'Organization'] },
  Repository: {
    kind: 'OBJECT',
    interfaces: ['Node'],
    fields: {
      ...NODE,
      databaseId: 'Int',
      name: 'String!',
      nameWithOwner: 'String!',
      owner: 'RepositoryOwner!',
      description: 'String',
      url: 'URI!',
      homepageUrl: 'URI',
      primaryLanguage: 'Language',
      languages: { type: 'LanguageConnection', args: { ...CONNECTION_ARGS, orderBy: 'LanguageOrder' } },
      repositoryTopics: { type: 'RepositoryTopicConnection!', args: CONNECTION_ARGS },
      licenseInfo: 'License',
      stargazerCount: 'Int!',
      forkCount: 'Int!',
      watchers: { type: 'UserConnection!', args: CONNECTION_ARGS },
      issues: { type: 'IssueConnection!', args: { ...CONNECTION_ARGS, states: '[IssueState!]' } },
      pullRequests: { type: 'PullRequestConnection!', args: { ...CONNECTION_ARGS, states: '[PullRequestState!]' } },
      diskUsage: 'Int',
      defaultBranchRef: 'Ref',
      isFork: 'Boolean!',
      isArchived: 'Boolean!',
      isTemplate: 'Boolean!',
      isPrivate: 'Boolean!',
      createdAt: 'DateTime!',
      pushedAt: 'DateTime',
      updatedAt: 'DateTime!',
      codeOfConduct: 'CodeOfConduct',
      contributingGuidelines: 'ContributingGuidelines',
      issueTemplates: '[IssueTemplate!]',
      pullRequestTemplates: '[PullRequestTemplate!]',
      isSecurityPolicyEnabled: 'Boolean',
      object: { type: 'GitObject', args: { expression: 'String', oid: 'GitObjectID' } },
    },
  },
  User: { kind: 'OBJECT', interfaces: ['Node', 'RepositoryOwner'], fields: ACTOR },
  Organization: { kind: 'OBJECT', interfaces: ['Node', 'RepositoryOwner'], fields: ACTOR },
  Language: { kind: 'OBJECT', interfaces: ['Node'], fields: { ...NODE, name: 'String!', color: 'String' } },
  LanguageConnection: {
    kind: 'OBJECT',
    fields: { edges: '[LanguageEdge]', nodes: '[Language]', ...PAGE_INFO, totalCount: 'Int!', totalSize: 'Int!' },
  },
  LanguageEdge: { kind: 'OBJECT', fields: { cursor: 'String!', node: 'Language!', size: 'Int!' } },
  LanguageOrder: { kind: 'INPUT_OBJECT', fields: { field: 'LanguageOrderField!', direction: 'OrderDirection!' } },
  LanguageOrderField: { kind: 'ENUM', values: ['SIZE'] },
  OrderDirection: { kind: 'ENUM', values: ['ASC', 'DESC'] },
  RepositoryTopicConnection: {
    kind: 'OBJECT',
    fields: { edges: '[RepositoryTopicEdge]', nodes: '[RepositoryTopic]', ...PAGE_INFO, totalCount: 'Int!' },
  },
  RepositoryTopicEdge: { kind: 'OBJECT', fields: { cursor: 'String!', node: 'RepositoryTopic' } },
  RepositoryTopic: { kind: 'OBJECT', interfaces: ['Node'], fields: { ...NODE, topic: 'Topic!', url: 'URI!' } },
  Topic: { kind: 'OBJECT', interfaces: ['Node'], fields: { ...NODE, name: 'String!' } },
  License: {
    kind: 'OBJECT',
    interfaces: ['Node'],
    fields: { ...NODE, key: 'String!', name: 'String!', spdxId: 'String', url: 'URI', nickname: 'String' },
  },
  UserConnection: { kind: 'OBJECT', fields: { edges: '[UserEdge]', nodes: '[User]', ...PAGE_INFO, totalCount: 'Int!' } },
  UserEdge: { kind: 'OBJECT', fields: { cursor: 'String!', node: 'User' } },
  IssueConnection: { kind: 'OBJECT', fields: { ...PAGE_INFO, totalCount: 'Int!' } },
  IssueState: { kind: 'ENUM', values: ['OPEN', 'CLOSED'] },
  PullRequestConnection: { kind: 'OBJECT', fields: { ...PAGE_INFO, totalCount: 'Int!' } },
  PullRequestState: { kind: 'ENUM', values: ['OPEN', 'CLOSED', 'MERGED'] },
  Ref: { kind: 'OBJECT', interfaces: ['Node'], fields: { ...NODE, name: 'String!', prefix: 'String!' } },
  CodeOfConduct: { kind: 'OBJECT', interfaces: ['Node'], fields: { ...NODE, key: 'String!', name: 'String!', url: 'URI', body: 'String' } },
  ContributingGuidelines: { kind: 'OBJECT', fields: { body: 'String', url: 'URI', resourcePath: 'URI' } },
  IssueTemplate: { kind: 'OBJECT', fields: { name: 'String!', about: 'String', title: 'String', body: 'String', filename: 'String!' } },
  PullRequestTemplate: { kind: 'OBJECT', fields: { filename: 'String', body: 'String' } },
  Blob: {
    kind: 'OBJECT',
    interfaces: ['Node', 'GitObject'],
    fields: { ...GIT_OBJECT, byteSize: 'Int!', isBinary: 'Boolean', isTruncated: 'Boolean!', text: 'String' },
  },
  Tree: { kind: 'OBJECT', interfaces: ['Node', 'GitObject'], fields: { ...GIT_OBJECT, entries: '[TreeEntry!]' } },
  TreeEntry: {
    kind: 'OBJECT',
    fields: {
      name: 'String!', type: 'String!', path: 'String', mode: 'Int!', oid: 'GitObjectID!', extension: 'String',
      isGenerated: 'Boolean!', size: 'Int!', object: 'GitObject',
    },
  },
  SearchResultItemConnection: {
    kind: 'OBJECT',
    fields: {
      codeCount: 'Int!', discussionCount: 'Int!', issueCount: 'Int!', repositoryCount: 'Int!', userCount: 'Int!',
      wikiCount: 'Int!', edges: '[SearchResultItemEdge]', nodes: '[SearchResultItem]', ...PAGE_INFO,
    },
  },
  SearchResultItemEdge: { kind: 'OBJECT', fields: { cursor: 'String!', node: 'SearchResultItem' } },
  SearchType: { kind: 'ENUM', values: ['ISSUE', 'ISSUE_ADVANCED', 'REPOSITORY', 'USER', 'DISCUSSION'] },
  PageInfo: {
    kind: 'OBJECT',
    fields: { endCursor: 'String', hasNextPage: 'Boolean!', hasPreviousPage: 'Boolean!', startCursor: 'String' },
  },
};

const SCALARS = ['Int', 'Float', 'String', 'Boolean', 'ID', 'DateTime', 'URI', 'GitObjectID'];

function field(name, spec) {
  const { type, args = {} } = typeof spec === 'string' ? { type: spec } : spec;
  return {
    name,
    type: parseType(type),
    args: Object.fromEntries(Object.entries(args).map(([argName, arg]) => {
      const { type: argType, defaultValue } = typeof arg === 'string' ? { type: arg } : arg;
      return [argName, { name: argName, type: parseType(argType), defaultValue }];
    })),
  };
}

function build() {
  const types = {};
  for (const name of SCALARS) types[name] = { name, kind: 'SCALAR' };
  for (const [name, definition] of Object.entries(DEFINITIONS)) {
    const type = { name, ...definition, possibleTypes: [] };
    if (definition.fields) {
      type.fields = Object.fromEntries(Object.entries(definition.fields).map(([fieldName, spec]) => [fieldName, field(fieldName, spec)]));
    }
    types[name] = type;
  }
  for (const type of Object.values(types)) {
    for (const parent of type.interfaces ?? []) types[parent].possibleTypes.push(type.name);
    if (type.kind === 'UNION') type.possibleTypes = [...type.types];
  }
  return types;
}

/** The schema: {types: {name → type}, query, mutation, subscription}. */
export const schema = Object.freeze({ types: build(), query: 'Query', mutation: 'Mutation', subscription: 'Subscription' });

/** The named type at the bottom of a type reference ([Node]! → Node). */
export function namedType(typeRef) {
  return typeRef.kind === 'Named' ? typeRef.name : namedType(typeRef.ofType);
}

export function isLeaf(type) {
  return type.kind === 'SCALAR' || type.kind === 'ENUM';
}

export function isComposite(type) {
  return type.kind === 'OBJECT' || type.kind === 'INTERFACE' || type.kind === 'UNION';
}

/** Whether an object of type `objectType` can match a fragment on `condition`. */
export function typeApplies(schemaTypes, condition, objectType) {
  return condition === objectType || (schemaTypes[condition]?.possibleTypes ?? []).includes(objectType);
}

/** The object types two composite types have in common (fragment spreading rule). */
export function overlap(schemaTypes, a, b) {
  const concrete = (name) => (schemaTypes[name].kind === 'OBJECT' ? [name] : schemaTypes[name].possibleTypes);
  const right = new Set(concrete(b));
  return concrete(a).some((name) => right.has(name));
}

/** GitHub's rule: a connection is a field whose type is a *Connection. */
export function isConnectionType(typeName) {
  return typeName.endsWith('Connection');
}
