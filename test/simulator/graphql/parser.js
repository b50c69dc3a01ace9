// Recursive-descent parser for executable GraphQL documents: operations (the `query`
// keyword optional for an anonymous query), variable definitions with types and
// default values, aliases, arguments of every literal kind, directives, named and
// inline fragments. The AST follows graphql-js' names; every node has loc {line, column}.
// Errors are GraphQLSyntaxError with GitHub's wording (see lexer.js).
import { tokenize, unexpected } from './lexer.js';

const OPERATIONS = new Set(['query', 'mutation', 'subscription']);

class Parser {
  constructor(text) {
    this.tokens = tokenize(text);
    this.index = 0;
  }

  get token() {
    return this.tokens[this.index];
  }

  loc(token = this.token) {
    return { line: token.line, column: token.column };
  }

  peek(kind) {
    return this.token.kind === kind;
  }

  /** Consumes a token of `kind` (or fails on the current one). */
  expect(kind) {
    const token = this.token;
    if (token.kind !== kind) throw unexpected(token);
    this.index++;
    return token;
  }

  skip(kind) {
    if (!this.peek(kind)) return false;
    this.index++;
    return true;
  }

  isName() {
    const { kind, value } = this.token;
    return kind === 'IDENTIFIER' || (/^[a-z]+$/.test(value) && kind === value.toUpperCase());
  }

  /** A Name: an identifier or a keyword used as a name. */
  name() {
    if (!this.isName()) throw unexpected(this.token);
    return this.tokens[this.index++].value;
  }

  document() {
    const definitions = [];
    do definitions.push(this.definition()); while (!this.peek('EOF'));
    return { kind: 'Document', definitions };
  }

  definition() {
    const token = this.token;
    if (token.kind === 'LCURLY') {
      return { kind: 'OperationDefinition', operation: 'query', name: null, variableDefinitions: [], directives: [], selectionSet: this.selectionSet(), loc: this.loc(token) };
    }
    if (token.kind === 'FRAGMENT') return this.fragmentDefinition();
    if (this.isName() && OPERATIONS.has(token.value)) {
      this.index++;
      const name = this.isName() ? this.name() : null;
      const variableDefinitions = this.peek('LPAREN') ? this.variableDefinitions() : [];
      return { kind: 'OperationDefinition', operation: token.value, name, variableDefinitions, directives: this.directives(false), selectionSet: this.selectionSet(), loc: this.loc(token) };
    }
    throw unexpected(token);
  }

  variableDefinitions() {
    this.expect('LPAREN');
    const definitions = [];
    do {
      const token = this.expect('VAR_SIGN');
      const variable = this.name();
      this.expect('COLON');
      const type = this.typeReference();
      const defaultValue = this.skip('EQUALS') ? this.value(true) : undefined;
      definitions.push({ kind: 'VariableDefinition', variable, type, defaultValue, directives: this.directives(true), loc: this.loc(token) });
    } while (!this.skip('RPAREN'));
    return definitions;
  }

  /** Type: Name | [Type] | Type! */
  typeReference() {
    let type;
    if (this.skip('LBRACKET')) {
      type = { kind: 'List', ofType: this.typeReference() };
      this.expect('RBRACKET');
    } else type = { kind: 'Named', name: this.name() };
    return this.skip('BANG') ? { kind: 'NonNull', ofType: type } : type;
  }

  selectionSet() {
    this.expect('LCURLY');
    const selections = [];
    do selections.push(this.selection()); while (!this.skip('RCURLY'));
    return selections;
  }

  selection() {
    const token = this.token;
    if (!this.skip('ELLIPSIS')) return this.field();
    if (this.isName() && !this.peek('ON')) {
      return { kind: 'FragmentSpread', name: this.name(), directives: this.directives(false), loc: this.loc(token) };
    }
    const typeCondition = this.skip('ON') ? this.name() : null;
    return { kind: 'InlineFragment', typeCondition, directives: this.directives(false), selectionSet: this.selectionSet(), loc: this.loc(token) };
  }

  field() {
    const token = this.token;
    let alias = null;
    let name = this.name();
    if (this.skip('COLON')) {
      alias = name;
      name = this.name();
    }
    const args = this.peek('LPAREN') ? this.arguments(false) : [];
    const directives = this.directives(false);
    const selectionSet = this.peek('LCURLY') ? this.selectionSet() : null;
    return { kind: 'Field', alias, name, arguments: args, directives, selectionSet, loc: this.loc(token) };
  }

  arguments(isConst) {
    this.expect('LPAREN');
    const args = [];
    do {
      const token = this.token;
      const name = this.name();
      this.expect('COLON');
      args.push({ kind: 'Argument', name, value: this.value(isConst), loc: this.loc(token) });
    } while (!this.skip('RPAREN'));
    return args;
  }

  directives(isConst) {
    const directives = [];
    while (this.peek('DIR_SIGN')) {
      const token = this.expect('DIR_SIGN');
      const name = this.name();
      directives.push({ kind: 'Directive', name, arguments: this.peek('LPAREN') ? this.arguments(isConst) : [], loc: this.loc(token) });
    }
    return directives;
  }

  /** A value literal; `isConst` forbids variables (default values). */
  value(isConst) {
    const token = this.token;
    const loc = this.loc(token);
    switch (token.kind) {
      case 'VAR_SIGN':
        if (isConst) throw unexpected(token);
        this.index++;
        return { kind: 'Variable', name: this.name(), loc };
      case 'INT': this.index++; return { kind: 'Int', value: token.value, loc };
      case 'FLOAT': this.index++; return { kind: 'Float', value: token.value, loc };
      case 'STRING': this.index++; return { kind: 'String', value: token.value, loc };
      case 'TRUE': case 'FALSE': this.index++; return { kind: 'Boolean', value: token.kind === 'TRUE', loc };
      case 'NULL': this.index++; return { kind: 'Null', loc };
      case 'LBRACKET': {
        this.index++;
        const values = [];
        while (!this.skip('RBRACKET')) values.push(this.value(isConst));
        return { kind: 'List', values, loc };
      }
      case 'LCURLY': {
        this.index++;
        const fields = [];
        while (!this.skip('RCURLY')) {
          const fieldToken = this.token;
          const name = this.name();
          this.expect('COLON');
          fields.push({ name, value: this.value(isConst), loc: this.loc(fieldToken) });
        }
        return { kind: 'Object', fields, loc };
      }
      default:
        if (this.isName()) return { kind: 'Enum', value: this.name(), loc };
        throw unexpected(token);
    }
  }

  fragmentDefinition() {
    const token = this.expect('FRAGMENT');
    if (this.peek('ON')) throw unexpected(this.token);
    const name = this.name();
    this.expect('ON');
    const typeCondition = this.name();
    return { kind: 'FragmentDefinition', name, typeCondition, directives: this.directives(false), selectionSet: this.selectionSet(), loc: this.loc(token) };
  }
}

/** Parses an executable document. Throws GraphQLSyntaxError. */
export function parse(text) {
  return new Parser(text).document();
}

/** Parses a type reference such as "[ID!]!" (the schema's notation). */
export function parseType(text) {
  const parser = new Parser(text);
  const type = parser.typeReference();
  parser.expect('EOF');
  return type;
}

/** A type reference back to text: "[ID!]!". */
export function printType(type) {
  if (type.kind === 'NonNull') return `${printType(type.ofType)}!`;
  if (type.kind === 'List') return `[${printType(type.ofType)}]`;
  return type.name;
}

/** A value literal back to GraphQL text, as graphql-ruby prints it in errors. */
export function printValue(node) {
  switch (node.kind) {
    case 'Variable': return `$${node.name}`;
    case 'String': return JSON.stringify(node.value);
    case 'Null': return 'null';
    case 'List': return `[${node.values.map(printValue).join(', ')}]`;
    case 'Object': return `{${node.fields.map((f) => `${f.name}: ${printValue(f.value)}`).join(', ')}}`;
    default: return String(node.value);
  }
}
