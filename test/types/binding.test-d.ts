// Compiled (never run) by test/js/12.binding.types.test.js: what must and must not
// type-check against binding/index.d.ts.
import {
  checkTokens,
  startRun,
  formatVersion,
  loadTokens,
  maskToken,
  versions,
  type BindingError,
  type TokenCheck,
  type TokenList,
  type Versions,
} from '../../binding/index.js';

const v: Versions = versions();
const names: string[] = [v.addon, v.libcurl, v.ssl, v.simdjson, v.simdjsonImplementation, v.napi];
const line: string = formatVersion();
const masked: string = maskToken('ghp_x');

const list: TokenList = loadTokens();
const fromObject: TokenList = loadTokens({ GITHUB_TOKENS: 'a,b', OTHER: undefined });
const tokens: string[] = list.tokens.concat(fromObject.warnings, [list.source]);

async function logins(): Promise<Array<string | null>> {
  const checks: TokenCheck[] = await checkTokens(['t'], { apiUrl: 'http://127.0.0.1:1', threads: 2 });
  const core: number | undefined = checks[0]?.resources.core?.remaining;
  void core;
  return checks.map((c) => (c.status === 'ok' ? c.login : null));
}
void logins;
// @ts-expect-error checkTokens needs the tokens
checkTokens();

async function runOnce(): Promise<number> {
  const run = startRun(
    { tokens: ['t'], groups: [{ name: 'web', queries: ['topic:react'], limit: 10 }], details: ['readme'] },
    { onBatch: async (batch) => batch.repositories.map((r) => r.full_name) },
  );
  const result = await run.done;
  return result.clusters.web?.delivered ?? 0;
}
void runOnce;
// @ts-expect-error details are named endpoints
startRun({ tokens: [], groups: [], details: ['everything'] });

function codeOf(err: BindingError): string {
  return err.code;
}

// @ts-expect-error maskToken takes a string
maskToken(42);
// @ts-expect-error the variables are strings
loadTokens({ GITHUB_TOKEN: 5 });
// @ts-expect-error versions() has no such field
v.node;

export { codeOf, line, masked, names, tokens };
