// Input values: whether a literal fits an input type (validation), coercing the JSON
// `variables` of a request (with GitHub's "was provided invalid value" errors), and
// the JS values of a field's arguments at execution (literals, variables, defaults).
import { printType } from './parser.js';

const MAX_INT = 2 ** 31 - 1;
const STRING_SCALARS = new Set(['String', 'DateTime', 'URI', 'GitObjectID']);

class Problem extends Error {
  constructor(path, explanation) {
    super(explanation);
    this.path = path;
    this.explanation = explanation;
  }
}

/** Whether a literal (variables aside: they are checked on their own) fits `typeRef`. */
export function literalFits(node, typeRef, types) {
  if (node.kind === 'Variable') return true;
  if (typeRef.kind === 'NonNull') return node.kind !== 'Null' && literalFits(node, typeRef.ofType, types);
  if (node.kind === 'Null') return true;
  if (typeRef.kind === 'List') {
    return node.kind === 'List' ? node.values.every((item) => literalFits(item, typeRef.ofType, types)) : literalFits(node, typeRef.ofType, types);
  }
  const type = types[typeRef.name];
  switch (type?.kind) {
    case 'ENUM': return node.kind === 'Enum' && type.values.includes(node.value);
    case 'INPUT_OBJECT': {
      if (node.kind !== 'Object') return false;
      const given = new Map(node.fields.map((f) => [f.name, f.value]));
      if ([...given.keys()].some((name) => !type.fields[name])) return false;
      return Object.values(type.fields).every((f) => (given.has(f.name)
        ? literalFits(given.get(f.name), f.type, types) : f.type.kind !== 'NonNull'));
    }
    case 'SCALAR': {
      if (type.name === 'Int') return node.kind === 'Int' && Math.abs(Number(node.value)) <= MAX_INT;
      if (type.name === 'Float') return node.kind === 'Int' || node.kind === 'Float';
      if (type.name === 'Boolean') return node.kind === 'Boolean';
      if (type.name === 'ID') return node.kind === 'String' || node.kind === 'Int';
      return node.kind === 'String';
    }
    default: return false;
  }
}

/** A JSON input value coerced to `typeRef`; throws Problem. */
function coerceInput(value, typeRef, types, path) {
  if (typeRef.kind === 'NonNull') {
    if (value === null || value === undefined) throw new Problem(path, 'Expected value to not be null');
    return coerceInput(value, typeRef.ofType, types, path);
  }
  if (value === null || value === undefined) return null;
  if (typeRef.kind === 'List') {
    if (!Array.isArray(value)) return [coerceInput(value, typeRef.ofType, types, path)];
    return value.map((item, i) => coerceInput(item, typeRef.ofType, types, [...path, i]));
  }
  const type = types[typeRef.name];
  const invalid = () => new Problem(path, `Could not coerce value ${JSON.stringify(value)} to ${type.name}`);
  switch (type.kind) {
    case 'ENUM':
      if (!type.values.includes(value)) throw new Problem(path, `Expected ${JSON.stringify(value)} to be one of: ${type.values.join(', ')}`);
      return value;
    case 'INPUT_OBJECT': {
      if (typeof value !== 'object' || Array.isArray(value)) throw new Problem(path, `Expected ${JSON.stringify(value)} to be a key-value object.`);
      const out = {};
      for (const key of Object.keys(value)) {
        if (!type.fields[key]) throw new Problem([...path, key], 'Field is not defined on ' + type.name);
      }
      for (const f of Object.values(type.fields)) out[f.name] = coerceInput(value[f.name], f.type, types, [...path, f.name]);
      return out;
    }
    default:
      if (type.name === 'Int') {
        if (!Number.isInteger(value) || Math.abs(value) > MAX_INT) throw invalid();
        return value;
      }
      if (type.name === 'Float') {
        if (typeof value !== 'number') throw invalid();
        return value;
      }
      if (type.name === 'Boolean') {
        if (typeof value !== 'boolean') throw invalid();
        return value;
      }
      if (type.name === 'ID') {
        if (typeof value === 'string' || Number.isInteger(value)) return String(value);
        throw invalid();
      }
      if (STRING_SCALARS.has(type.name) && typeof value === 'string') return value;
      throw invalid();
  }
}

/** The JS value of a literal for `typeRef`, variables substituted. */
export function literalValue(node, typeRef, variables, types) {
  if (node.kind === 'Variable') return variables[node.name] ?? null;
  const inner = typeRef.kind === 'NonNull' ? typeRef.ofType : typeRef;
  if (node.kind === 'Null') return null;
  if (inner.kind === 'List') {
    const items = node.kind === 'List' ? node.values : [node];
    return items.map((item) => literalValue(item, inner.ofType, variables, types));
  }
  const type = types[inner.name];
  if (type.kind === 'INPUT_OBJECT') {
    const given = new Map(node.fields.map((f) => [f.name, f.value]));
    return Object.fromEntries(Object.values(type.fields).map((f) => [f.name, given.has(f.name) ? literalValue(given.get(f.name), f.type, variables, types) : null]));
  }
  switch (node.kind) {
    case 'Int': return type.name === 'ID' ? node.value : Number(node.value);
    case 'Float': return Number(node.value);
    default: return node.value;
  }
}

/**
 * The operation's variable values: {values} or {errors} with GitHub's wording
 * ("Variable $ids of type [ID!]! was provided invalid value").
 */
export function coerceVariables(operation, inputs, types) {
  const values = {};
  const errors = [];
  for (const definition of operation.variableDefinitions) {
    const { variable, type } = definition;
    const given = Object.hasOwn(inputs, variable);
    if (!given && definition.defaultValue !== undefined) {
      values[variable] = literalValue(definition.defaultValue, type, {}, types);
      continue;
    }
    if (!given && type.kind !== 'NonNull') continue;  // absent: the argument's default applies
    try {
      values[variable] = coerceInput(given ? inputs[variable] : null, type, types, []);
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      errors.push({
        extensions: { value: given ? inputs[variable] : null, problems: [{ path: err.path, explanation: err.explanation }] },
        locations: [definition.loc],
        message: `Variable $${variable} of type ${printType(type)} was provided invalid value`,
      });
    }
  }
  return errors.length ? { errors } : { values };
}

/** A field's (or directive's) arguments as JS values, defaults applied. */
export function argumentValues(definitionArgs, nodes, variables, types) {
  const out = {};
  const given = new Map(nodes.map((arg) => [arg.name, arg.value]));
  for (const arg of Object.values(definitionArgs)) {
    const node = given.get(arg.name);
    if (node && !(node.kind === 'Variable' && variables[node.name] === undefined)) {
      out[arg.name] = literalValue(node, arg.type, variables, types);
    } else if (arg.defaultValue !== undefined) out[arg.name] = arg.defaultValue;
  }
  return out;
}
