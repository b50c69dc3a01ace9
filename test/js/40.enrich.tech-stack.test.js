import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TECH_TABLE } from '../../js/enrich/tech-stack-table.js';
import { MAX_LANGUAGES, mainLanguages, recognisedTools, techStackOf } from '../../js/enrich/tech-stack.js';

function repo(fields) {
  return { language: null, languages: null, topics: [], description: null, ...fields };
}

describe('enrich: techStackOf()', () => {
  it('lists languages with at least 10% of the bytes, largest first, then tools in table order', () => {
    const stack = techStackOf(
      repo({
        language: 'TypeScript',
        languages: { CSS: 1500, TypeScript: 8000, HTML: 400, Shell: 100 },
        topics: ['docker', 'nextjs', 'react'],
        description: 'A starter with Tailwind and Supabase',
      }),
    );
    assert.deepEqual(stack, ['TypeScript', 'CSS', 'React', 'Next.js', 'Tailwind CSS', 'Supabase', 'Docker']);
  });

  it('counts a language at exactly 10% and drops one just below', () => {
    assert.deepEqual(mainLanguages({ Go: 900, Shell: 100 }), ['Go', 'Shell']);
    assert.deepEqual(mainLanguages({ Go: 901, Shell: 99 }), ['Go']);
  });

  it('lists at most five languages, and the largest even when none reaches 10%', () => {
    const even = { A: 10, B: 10, C: 10, D: 10, E: 10, F: 10, G: 10, H: 10, I: 10 };
    assert.equal(mainLanguages(even).length, MAX_LANGUAGES);
    assert.deepEqual(mainLanguages(even), ['A', 'B', 'C', 'D', 'E']);
    const spread = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`L${i}`, i === 7 ? 9 : 5]));
    assert.deepEqual(mainLanguages(spread), ['L7']);
  });

  it('falls back to the primary language when the bytes are unknown or empty', () => {
    assert.deepEqual(techStackOf(repo({ language: 'Rust', languages: null })), ['Rust']);
    assert.deepEqual(techStackOf(repo({ language: 'Rust', languages: {} })), ['Rust']);
    assert.deepEqual(techStackOf(repo({ language: null, languages: {} })), []);
  });

  it('gives an empty stack when everything is null', () => {
    assert.deepEqual(techStackOf({}), []);
    assert.deepEqual(
      techStackOf({ language: null, languages: null, topics: null, description: null }),
      [],
    );
  });

  it('ignores junk byte counts', () => {
    assert.deepEqual(mainLanguages({ Python: 100, Weird: -5, Bad: 'x', Zero: 0 }), ['Python']);
  });

  it('handles huge byte counts', () => {
    assert.deepEqual(mainLanguages({ C: 4e12, Assembly: 5e11, Python: 1e9 }), ['C', 'Assembly']);
  });

  it('does not list a name twice (GitHub language "Vue" and the Vue framework)', () => {
    assert.deepEqual(techStackOf(repo({ language: 'Vue', languages: { Vue: 10 }, topics: ['vue', 'vuejs'] })), ['Vue']);
  });
});

describe('enrich: recognisedTools()', () => {
  it('matches topics exactly, in any case', () => {
    assert.deepEqual(recognisedTools(['Kubernetes', 'helm'], null), ['Kubernetes', 'Helm']);
    assert.deepEqual(recognisedTools(['reactive', 'reacts'], null), []);
  });

  it('matches description words in any case, as whole words', () => {
    assert.deepEqual(recognisedTools([], 'Built on NEXTJS and node.js, deployed with Terraform.'), [
      'Next.js',
      'Node.js',
      'Terraform',
    ]);
    assert.deepEqual(recognisedTools([], 'unreactive dockerized pandasql'), []);
    assert.deepEqual(recognisedTools([], 'React-based, Redis-backed'), ['React', 'Redis']);
    assert.deepEqual(recognisedTools([], 'a fork of nvidia-docker'), []);
  });

  it('matches common-word names only with their capital (React, Flask, Helm, Spark)', () => {
    assert.deepEqual(recognisedTools([], 'React hooks for Flask apps'), ['React', 'Flask']);
    assert.deepEqual(recognisedTools([], 'how to react when a flask spills at the helm, a spark'), []);
  });

  it('prefers the longest phrase (vue.js, asp.net core)', () => {
    assert.deepEqual(recognisedTools([], 'Vue.js front, ASP.NET Core back on .NET 8'), ['Vue', '.NET', 'ASP.NET']);
  });

  it('does not read .NET inside ASP.NET', () => {
    assert.deepEqual(recognisedTools([], 'An ASP.NET sample'), ['ASP.NET']);
  });

  it('finds names in unicode descriptions', () => {
    assert.deepEqual(recognisedTools([], '基于React的后台管理系统，使用 Vite 与 PostgreSQL 🚀'), ['React', 'Vite', 'PostgreSQL']);
    assert.deepEqual(recognisedTools([], 'Ein Werkzeug für Kubernetes-Cluster (Über Docker)'), ['Docker', 'Kubernetes']);
  });

  it('accepts punctuation around names', () => {
    assert.deepEqual(recognisedTools([], '(PyTorch), "TensorFlow"; [Redis]!'), ['PyTorch', 'TensorFlow', 'Redis']);
  });

  it('gives the same answer when called again (no regex state leaks between calls)', () => {
    const first = recognisedTools([], 'Django and Redis and Django');
    assert.deepEqual(recognisedTools([], 'Django and Redis and Django'), first);
    assert.deepEqual(first, ['Django', 'Redis']);
  });

  it('tolerates non-string topics and empty input', () => {
    assert.deepEqual(recognisedTools([null, 3, 'flutter'], ''), ['Flutter']);
    assert.deepEqual(recognisedTools(null, null), []);
  });
});

describe('enrich: TECH_TABLE', () => {
  it('has unique names, lowercase topics and words, and a category for each entry', () => {
    const names = new Set();
    for (const entry of TECH_TABLE) {
      assert.ok(!names.has(entry.name), `duplicate ${entry.name}`);
      names.add(entry.name);
      assert.equal(typeof entry.category, 'string', entry.name);
      for (const topic of entry.topics ?? []) assert.match(topic, /^[a-z0-9][a-z0-9-]*$/, `${entry.name}: ${topic}`);
      for (const word of entry.words ?? []) assert.equal(word, word.toLowerCase(), `${entry.name}: ${word}`);
      assert.ok((entry.topics ?? []).length > 0, `${entry.name} has no topic`);
    }
  });

  it('is frozen: no caller can change it', () => {
    assert.ok(Object.isFrozen(TECH_TABLE));
    assert.ok(Object.isFrozen(TECH_TABLE[0]));
  });
});
