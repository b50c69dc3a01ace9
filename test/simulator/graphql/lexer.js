// GraphQL lexer (October 2021 spec, executable documents): turns a query text into
// tokens {kind, value, line, column}. Kinds are named as GitHub's server (graphql-ruby)
// names them in its parse errors: LCURLY, RCURLY, IDENTIFIER, STRING, INT, QUERY...
// Commas, whitespace, line terminators, comments and a BOM are ignored.

export class GraphQLSyntaxError extends Error {
  /** @param {string} message GitHub's wording; `line`/`column` 1-based, or null at the end. */
  constructor(message, line = null, column = null) {
    super(message);
    this.locations = line === null ? [] : [{ line, column }];
  }
}

const PUNCTUATORS = {
  '{': 'LCURLY', '}': 'RCURLY', '(': 'LPAREN', ')': 'RPAREN', '[': 'LBRACKET', ']': 'RBRACKET',
  ':': 'COLON', $: 'VAR_SIGN', '@': 'DIR_SIGN', '=': 'EQUALS', '!': 'BANG', '|': 'PIPE', '&': 'AMP',
};

// Names that graphql-ruby lexes as keywords; the parser still accepts them as names.
const KEYWORDS = new Set([
  'on', 'fragment', 'true', 'false', 'null', 'query', 'mutation', 'subscription', 'schema', 'scalar', 'type',
  'extend', 'implements', 'interface', 'union', 'enum', 'input', 'directive', 'repeatable',
]);

const NAME_START = /[_A-Za-z]/;
const NAME_CONTINUE = /[_0-9A-Za-z]/;
const ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** "Parse error on "x" (KIND) at [line, column]": the wording of GitHub's syntax errors. */
export function unexpected(token) {
  if (token.kind === 'EOF') return new GraphQLSyntaxError('Unexpected end of document');
  return new GraphQLSyntaxError(`Parse error on ${JSON.stringify(token.value)} (${token.kind}) at [${token.line}, ${token.column}]`,
    token.line, token.column);
}

/**
 * All tokens of `text`, ending with {kind: 'EOF'}. Throws GraphQLSyntaxError on a
 * character no token can start with, an unterminated string or a bad escape.
 */
export function tokenize(text) {
  const tokens = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = 0;
  const column = (at) => at - lineStart + 1;

  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === ',') { i++; continue; }
    if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      lineStart = i;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    const start = i;
    const token = (kind, value, next) => {
      tokens.push({ kind, value, line, column: column(start) });
      i = next;
    };
    if (PUNCTUATORS[c]) { token(PUNCTUATORS[c], c, i + 1); continue; }
    if (c === '.') {
      if (text.startsWith('...', i)) { token('ELLIPSIS', '...', i + 3); continue; }
      failAt(text, i, i + 1, line, column(i));
    }
    if (NAME_START.test(c)) {
      let end = i + 1;
      while (end < text.length && NAME_CONTINUE.test(text[end])) end++;
      const name = text.slice(i, end);
      token(KEYWORDS.has(name) ? name.toUpperCase() : 'IDENTIFIER', name, end);
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const { kind, end } = readNumber(text, i);
      if (kind === null) failAt(text, i, end, line, column(i));
      token(kind, text.slice(i, end), end);
      continue;
    }
    if (c === '"') {
      if (text.startsWith('"""', i)) {
        const { value, end, lines, lastLineStart } = readBlockString(text, i);
        if (end === null) failAt(text, i, text.length, line, column(i), 'UNTERMINATED_STRING');
        token('STRING', value, end);
        if (lines) { line += lines; lineStart = lastLineStart; }
        continue;
      }
      const { value, end, error } = readString(text, i);
      if (error) failAt(text, i, end, line, column(i), error);
      token('STRING', value, end);
      continue;
    }
    failAt(text, i, i + 1, line, column(i), 'UNKNOWN_CHAR');
  }
  tokens.push({ kind: 'EOF', value: '', line, column: column(i) });
  return tokens;
}

function failAt(text, start, end, line, column, kind = 'UNKNOWN_CHAR') {
  throw unexpected({ kind, value: text.slice(start, Math.max(end, start + 1)), line, column });
}

/** IntValue or FloatValue at `start`: {kind: 'INT'|'FLOAT'|null, end}. */
function readNumber(text, start) {
  let i = start;
  const digits = () => {
    const from = i;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') i++;
    return i - from;
  };
  if (text[i] === '-') i++;
  if (text[i] === '0') {
    i++;
    if (text[i] >= '0' && text[i] <= '9') return { kind: null, end: i + 1 };  // no leading zeros
  } else if (digits() === 0) return { kind: null, end: i + 1 };
  let kind = 'INT';
  if (text[i] === '.') {
    i++;
    if (digits() === 0) return { kind: null, end: i + 1 };
    kind = 'FLOAT';
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (digits() === 0) return { kind: null, end: i + 1 };
    kind = 'FLOAT';
  }
  // A number may not run into a name or a dot: 1.2.3, 12abc.
  if (i < text.length && (NAME_START.test(text[i]) || text[i] === '.')) return { kind: null, end: i + 1 };
  return { kind, end: i };
}

/** A "..." string: {value, end} or {error, end}. */
function readString(text, start) {
  let i = start + 1;
  let value = '';
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return { value, end: i + 1 };
    if (c === '\n' || c === '\r') break;
    if (c !== '\\') { value += c; i++; continue; }
    const e = text[i + 1];
    if (e in ESCAPES) { value += ESCAPES[e]; i += 2; continue; }
    if (e === 'u') {
      const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(i + 2, i + 10));
      const plain = /^[0-9A-Fa-f]{4}/.exec(text.slice(i + 2, i + 6));
      const hex = braced ? braced[1] : plain?.[0];
      const code = hex === undefined ? NaN : Number.parseInt(hex, 16);
      if (Number.isNaN(code) || code > 0x10ffff) return { error: 'BAD_UNICODE_ESCAPE', end: i + 2 };
      i += 2 + (braced ? braced[0].length : 4);
      // A surrogate pair written as two \uXXXX escapes.
      const low = /^\\u([Dd][C-Fc-f][0-9A-Fa-f]{2})/.exec(text.slice(i, i + 6));
      if (code >= 0xd800 && code <= 0xdbff && low) {
        value += String.fromCharCode(code, Number.parseInt(low[1], 16));
        i += 6;
      } else value += String.fromCodePoint(code);
      continue;
    }
    return { error: 'BAD_ESCAPE', end: i + 2 };
  }
  return { error: 'UNTERMINATED_STRING', end: i };
}

/** A """block string""": {value, end, lines, lastLineStart}, with the spec's dedent. */
function readBlockString(text, start) {
  let i = start + 3;
  let raw = '';
  let lines = 0;
  let lastLineStart = 0;
  while (i < text.length) {
    if (text.startsWith('"""', i)) return { value: blockStringValue(raw), end: i + 3, lines, lastLineStart };
    if (text.startsWith('\\"""', i)) { raw += '"""'; i += 4; continue; }
    const c = text[i];
    if (c === '\n' || c === '\r') {
      const width = c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      raw += '\n';
      i += width;
      lines++;
      lastLineStart = i;
      continue;
    }
    raw += c;
    i++;
  }
  return { end: null };
}

/** The spec's BlockStringValue(): common indentation removed, blank first/last lines dropped. */
export function blockStringValue(raw) {
  const lines = raw.split('\n');
  let common = null;
  for (let n = 1; n < lines.length; n++) {
    const indent = lines[n].length - lines[n].replace(/^[ \t]+/, '').length;
    if (indent < lines[n].length && (common === null || indent < common)) common = indent;
  }
  if (common) for (let n = 1; n < lines.length; n++) lines[n] = lines[n].slice(common);
  const blank = (l) => /^[ \t]*$/.test(l);
  while (lines.length && blank(lines[0])) lines.shift();
  while (lines.length && blank(lines[lines.length - 1])) lines.pop();
  return lines.join('\n');
}
