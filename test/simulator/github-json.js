// GitHub's JSON shapes for the corpus: search items, full repositories, languages,
// READMEs (JSON envelope and raw), community profiles and users. Each document is
// serialized once per repository version and kept as a Buffer with its ETag, so
// serving it costs no JSON work.
import crypto from 'node:crypto';

import { Random } from './random.js';
import { readmeMarkdown } from './readme.js';
import { COMPANION_LANGUAGES } from './vocabulary.js';

const HTML = 'https://github.com';

/** A weak ETag like GitHub's: W/"<hex digest of the body>". */
export function etagOf(body) {
  return `W/"${crypto.createHash('md5').update(body).digest('hex')}"`;
}

function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function document(value) {
  const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return { body, etag: etagOf(body) };
}

/** `JSON.stringify({...object, ...more})` when `objectText` is JSON.stringify(object). */
function extend(objectText, more) {
  const moreText = JSON.stringify(more);
  return moreText === '{}' ? objectText : `${objectText.slice(0, -1)},${moreText.slice(1)}`;
}

export function ownerJson(owner, api) {
  const u = `${api}/users/${owner.login}`;
  return {
    login: owner.login, id: owner.id, node_id: owner.node_id,
    avatar_url: `https://avatars.githubusercontent.com/u/${owner.id}?v=4`, gravatar_id: '',
    url: u, html_url: `${HTML}/${owner.login}`,
    followers_url: `${u}/followers`, following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`, starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`, organizations_url: `${u}/orgs`, repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`, received_events_url: `${u}/received_events`,
    type: owner.type, user_view_type: 'public', site_admin: false,
  };
}

function licenseJson(license) {
  if (!license) return null;
  const { key, name, spdx_id, url, node_id } = license;
  return { key, name, spdx_id, url, node_id };
}

/** The repository object shared by search items and GET /repos (GitHub's field order). */
function repositoryFields(repo, api) {
  const r = `${api}/repos/${repo.fullName}`;
  return {
    id: repo.id, node_id: repo.node_id, name: repo.name, full_name: repo.fullName, private: false,
    owner: ownerJson(repo.owner, api),
    html_url: `${HTML}/${repo.fullName}`, description: repo.description, fork: repo.fork, url: r,
    forks_url: `${r}/forks`, keys_url: `${r}/keys{/key_id}`, collaborators_url: `${r}/collaborators{/collaborator}`,
    teams_url: `${r}/teams`, hooks_url: `${r}/hooks`, issue_events_url: `${r}/issues/events{/number}`,
    events_url: `${r}/events`, assignees_url: `${r}/assignees{/user}`, branches_url: `${r}/branches{/branch}`,
    tags_url: `${r}/tags`, blobs_url: `${r}/git/blobs{/sha}`, git_tags_url: `${r}/git/tags{/sha}`,
    git_refs_url: `${r}/git/refs{/sha}`, trees_url: `${r}/git/trees{/sha}`, statuses_url: `${r}/statuses/{sha}`,
    languages_url: `${r}/languages`, stargazers_url: `${r}/stargazers`, contributors_url: `${r}/contributors`,
    subscribers_url: `${r}/subscribers`, subscription_url: `${r}/subscription`, commits_url: `${r}/commits{/sha}`,
    git_commits_url: `${r}/git/commits{/sha}`, comments_url: `${r}/comments{/number}`,
    issue_comment_url: `${r}/issues/comments{/number}`, contents_url: `${r}/contents/{+path}`,
    compare_url: `${r}/compare/{base}...{head}`, merges_url: `${r}/merges`,
    archive_url: `${r}/{archive_format}{/ref}`, downloads_url: `${r}/downloads`, issues_url: `${r}/issues{/number}`,
    pulls_url: `${r}/pulls{/number}`, milestones_url: `${r}/milestones{/number}`,
    notifications_url: `${r}/notifications{?since,all,participating}`, labels_url: `${r}/labels{/name}`,
    releases_url: `${r}/releases{/id}`, deployments_url: `${r}/deployments`,
    created_at: iso(repo.createdAt), updated_at: iso(repo.updatedAt), pushed_at: iso(repo.pushedAt),
    git_url: `git://github.com/${repo.fullName}.git`, ssh_url: `git@github.com:${repo.fullName}.git`,
    clone_url: `${HTML}/${repo.fullName}.git`, svn_url: `${HTML}/${repo.fullName}`,
    homepage: repo.homepage, size: repo.size, stargazers_count: repo.stars, watchers_count: repo.stars,
    language: repo.language, has_issues: repo.hasIssues, has_projects: repo.hasProjects, has_downloads: true,
    has_wiki: repo.hasWiki, has_pages: repo.hasPages, has_discussions: repo.hasDiscussions,
    forks_count: repo.forks, mirror_url: null, archived: repo.archived, disabled: false,
    open_issues_count: repo.openIssues, license: licenseJson(repo.license),
    allow_forking: true, is_template: repo.isTemplate, web_commit_signoff_required: false,
    topics: repo.topics, visibility: 'public', forks: repo.forks, open_issues: repo.openIssues,
    watchers: repo.stars, default_branch: repo.defaultBranch,
  };
}

function languagesJson(repo, seed) {
  if (!repo.language) return {};
  const random = new Random(`languages:${seed}:${repo.id}`);
  const total = Math.max(200, Math.floor(repo.size * 1024 * (0.2 + random.next() * 0.7)));
  const companions = random.sample(COMPANION_LANGUAGES[repo.language] ?? ['Shell', 'Makefile'], random.int(0, 4))
    .filter((name) => name !== repo.language);
  const shares = companions.map(() => random.next());
  const primaryShare = 0.6 + random.next() * 0.39;
  const sum = shares.reduce((a, b) => a + b, 0) || 1;
  const result = { [repo.language]: Math.floor(total * primaryShare) };
  companions.forEach((name, i) => { result[name] = Math.max(1, Math.floor((total * (1 - primaryShare) * shares[i]) / sum)); });
  // GitHub lists languages by bytes, largest first.
  return Object.fromEntries(Object.entries(result).sort((a, b) => b[1] - a[1]));
}

function base64Lines(buffer) {
  // GitHub wraps the base64 content at 60 characters, with a trailing newline.
  const base64 = buffer.toString('base64');
  const lines = [];
  for (let i = 0; i + 60 <= base64.length; i += 60) lines.push(base64.slice(i, i + 60));
  lines.push(base64.slice(base64.length - (base64.length % 60)));
  return `${lines.join('\n')}\n`;
}

function readmeJson(repo, api, raw) {
  const path = repo.readme;
  const sha = crypto.createHash('sha1').update(`blob ${raw.length}\0`).update(raw).digest('hex');
  const r = `${api}/repos/${repo.fullName}`;
  const self = `${r}/contents/${path}?ref=${repo.defaultBranch}`;
  const html = `${HTML}/${repo.fullName}/blob/${repo.defaultBranch}/${path}`;
  return {
    name: path, path, sha, size: raw.length, url: self, html_url: html, git_url: `${r}/git/blobs/${sha}`,
    download_url: `https://raw.githubusercontent.com/${repo.fullName}/${repo.defaultBranch}/${path}`,
    type: 'file', content: base64Lines(raw), encoding: 'base64',
    _links: { self, git: `${r}/git/blobs/${sha}`, html },
  };
}

function communityJson(repo, api) {
  const r = `${api}/repos/${repo.fullName}`;
  const file = (path) => ({ url: `${r}/contents/${path}`, html_url: `${HTML}/${repo.fullName}/blob/${repo.defaultBranch}/${path}` });
  const c = repo.community;
  const files = {
    code_of_conduct: c.codeOfConduct ? {
      key: 'contributor_covenant', name: 'Contributor Covenant',
      url: `${api}/codes_of_conduct/contributor_covenant`, html_url: `${HTML}/${repo.fullName}/blob/${repo.defaultBranch}/CODE_OF_CONDUCT.md`,
    } : null,
    code_of_conduct_file: c.codeOfConduct ? file('CODE_OF_CONDUCT.md') : null,
    contributing: c.contributing ? file('CONTRIBUTING.md') : null,
    issue_template: c.issueTemplate ? file('.github/ISSUE_TEMPLATE/bug_report.md') : null,
    pull_request_template: c.pullRequestTemplate ? file('.github/PULL_REQUEST_TEMPLATE.md') : null,
    license: repo.license ? {
      ...licenseJson(repo.license), html_url: `${HTML}/${repo.fullName}/blob/${repo.defaultBranch}/LICENSE`,
    } : null,
    readme: repo.readme ? file(repo.readme) : null,
  };
  const checks = [repo.description, files.readme, files.code_of_conduct, files.contributing, files.license,
    files.issue_template, files.pull_request_template];
  return {
    health_percentage: Math.round((100 * checks.filter(Boolean).length) / checks.length),
    description: repo.description,
    documentation: repo.homepage || null,
    files,
    updated_at: new Date(repo.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    content_reports_enabled: false,
  };
}

/** The authenticated user, GET /user. */
export function userJson(user, api) {
  return {
    ...ownerJson({ login: user.login, id: user.id, node_id: Buffer.from(`04:User${user.id}`).toString('base64'), type: 'User' }, api),
    name: `Simulated ${user.login}`, company: null, blog: '', location: null, email: null, hireable: null,
    bio: 'A GitHub user of the gh-ingest simulator', twitter_username: null, notification_email: null,
    public_repos: 12, public_gists: 0, followers: 3, following: 1,
    created_at: '2015-03-04T05:06:07Z', updated_at: '2025-01-02T03:04:05Z',
  };
}

/**
 * Per-repository documents, built on first use and kept until the repository changes.
 */
export class RepoDocuments {
  constructor(corpus, { api, seed }) {
    this.corpus = corpus;
    this.api = api;
    this.seed = seed;
    this.cache = new Array(corpus.size);
    corpus.onUpdate((repo) => { this.cache[repo.index] = undefined; });
  }

  entry(repo) {
    let entry = this.cache[repo.index];
    if (!entry) entry = this.cache[repo.index] = {};
    return entry;
  }

  /**
   * The repository fields as a JSON object text. Search items and repository documents
   * both start with them: pass it to both when building both (a warm-up) to serialize
   * the fields once.
   */
  fieldsText(repo) {
    return JSON.stringify(repositoryFields(repo, this.api));
  }

  /** The search item (repository fields + score) as JSON bytes. */
  searchItem(repo, fieldsText = undefined) {
    const entry = this.entry(repo);
    return (entry.searchItem ??= Buffer.from(extend(fieldsText ?? this.fieldsText(repo), { score: 1.0 })));
  }

  repository(repo, fieldsText = undefined) {
    const entry = this.entry(repo);
    return (entry.repository ??= document(extend(fieldsText ?? this.fieldsText(repo), {
      ...(repo.owner.type === 'Organization' ? { organization: ownerJson(repo.owner, this.api) } : {}),
      permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
      temp_clone_token: '', network_count: repo.forks, subscribers_count: repo.subscribers,
    })));
  }

  languages(repo) {
    const entry = this.entry(repo);
    return (entry.languages ??= document(languagesJson(repo, this.seed)));
  }

  /** {json, raw} documents, or null when the repository has no README. */
  readme(repo) {
    const entry = this.entry(repo);
    if (entry.readme === undefined) {
      const markdown = readmeMarkdown(repo, this.seed);
      if (markdown === null) entry.readme = null;
      else {
        // The JSON envelope (base64) and the ETags are built on first use: GraphQL reads
        // only the raw bytes.
        const raw = Buffer.from(markdown);
        const api = this.api;
        let json;
        let rawEtag;
        entry.readme = {
          get json() { return (json ??= document(readmeJson(repo, api, raw))); },
          raw: { body: raw, get etag() { return (rawEtag ??= etagOf(raw)); } },
        };
      }
    }
    return entry.readme;
  }

  community(repo) {
    const entry = this.entry(repo);
    return (entry.community ??= document(communityJson(repo, this.api)));
  }
}
