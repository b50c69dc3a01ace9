// Static validation of a parsed document against the schema, with GitHub's (graphql-ruby)
// messages and extension codes: unknown fields (undefinedField), arguments (unknown,
// wrong literal, missing required), selections on leaves or missing on objects,
// fragments (unknown type, impossible spread, undefined, unused, cycles), variables
// (undeclared, unused, wrong input type, bad default, type mismatch at a usage) and
// directives (@include/@skip only). Returns a list of errors, empty when valid.
import { printType, printValue } from './parser.js';
import { isComposite, isLeaf, namedType, overlap } from './schema.js';
import { literalFits } from './values.js';

const DIRECTIVES = new Set(['include', 'skip']);
const BOOLEAN = { kind: 'NonNull', ofType: { kind: 'Named', name: 'Boolean' } };

function error(message, loc, path, extensions) {
  const out = {};
  if (path) out.path = path;
  if (extensions) out.extensions = extensions;
  out.locations = loc ? [loc] : [];
  out.message = message;
  return out;
}

const stripNonNull = (t) => (t.kind === 'NonNull' ? stripNonNull(t.ofType) : t.kind === 'List' ? { kind: 'List', ofType: stripNonNull(t.ofType) } : t);

function isSubtype(variableType, locationType) {
  if (locationType.kind === 'NonNull') return variableType.kind === 'NonNull' && isSubtype(variableType.ofType, locationType.ofType);
  if (variableType.kind === 'NonNull') return isSubtype(variableType.ofType, locationType);
  if (locationType.kind === 'List') return variableType.kind === 'List' && isSubtype(variableType.ofType, locationType.ofType);
  return variableType.kind === 'Named' && variableType.name === locationType.name;
}

class Validator {
  constructor(document, types) {
    this.types = types;
    this.errors = [];
    this.operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
    this.fragments = new Map();
    for (const definition of document.definitions) {
      if (definition.kind !== 'FragmentDefinition') continue;
      if (this.fragments.has(definition.name)) {
        this.errors.push(error(`Fragment name "${definition.name}" must be unique`, definition.loc, [`fragment ${definition.name}`], { code: 'fragmentNamesAreUnique', fragmentName: definition.name }));
      } else this.fragments.set(definition.name, definition);
    }
    this.fragmentInfo = new Map();  // name → {usages, spreads}
  }

  run() {
    if (this.operations.length > 1 && this.operations.some((op) => !op.name)) {
      const anonymous = this.operations.find((op) => !op.name);
      this.errors.push(error('Operation name is required when multiple operations are present', anonymous.loc, ['query'], { code: 'loneAnonymousOperation' }));
    }
    for (const fragment of this.fragments.values()) this.fragment(fragment);
    this.cycles();
    const used = new Set();
    for (const operation of this.operations) this.operation(operation, used);
    for (const fragment of this.fragments.values()) {
      if (!used.has(fragment.name)) {
        this.errors.push(error(`Fragment ${fragment.name} was defined, but not used`, fragment.loc, [`fragment ${fragment.name}`], { code: 'useAndDefineFragment', fragmentName: fragment.name }));
      }
    }
    return this.errors;
  }

  fragment(fragment) {
    const info = { usages: [], spreads: new Set() };
    this.fragmentInfo.set(fragment.name, info);
    const path = [`fragment ${fragment.name}`];
    if (!this.condition(fragment.typeCondition, null, fragment.loc, path)) return;
    this.selections(fragment.selectionSet, fragment.typeCondition, path, info);
  }

  cycles() {
    const state = new Map();  // name → 'visiting' | 'done'
    const visit = (name) => {
      if (state.get(name) === 'done' || !this.fragments.has(name)) return false;
      if (state.get(name) === 'visiting') return true;
      state.set(name, 'visiting');
      const looped = [...this.fragmentInfo.get(name).spreads].some(visit);
      state.set(name, 'done');
      if (looped) {
        const fragment = this.fragments.get(name);
        this.errors.push(error(`Fragment ${name} contains an infinite loop`, fragment.loc, [`fragment ${name}`], { code: 'infiniteLoop', fragmentName: name }));
      }
      return false;
    };
    for (const name of this.fragments.keys()) visit(name);
  }

  operation(operation, used) {
    const rootName = operation.operation === 'query' ? 'Query' : operation.operation === 'mutation' ? 'Mutation' : 'Subscription';
    const label = operation.name ?? `anonymous ${operation.operation}`;
    const path = [operation.name ? `${operation.operation} ${operation.name}` : operation.operation];
    const info = { usages: [], spreads: new Set() };
    this.selections(operation.selectionSet, rootName, path, info);
    // Every fragment reachable from the operation adds its variable usages.
    const reached = new Set();
    const stack = [...info.spreads];
    while (stack.length) {
      const name = stack.pop();
      if (reached.has(name) || !this.fragmentInfo.has(name)) continue;
      reached.add(name);
      used.add(name);
      const fragmentInfo = this.fragmentInfo.get(name);
      info.usages.push(...fragmentInfo.usages);
      stack.push(...fragmentInfo.spreads);
    }
    this.variables(operation, label, info.usages);
  }

  variables(operation, label, usages) {
    const declared = new Map();
    for (const definition of operation.variableDefinitions) {
      const { variable, type, defaultValue, loc } = definition;
      declared.set(variable, definition);
      const kind = this.types[namedType(type)]?.kind;
      if (kind !== 'SCALAR' && kind !== 'ENUM' && kind !== 'INPUT_OBJECT') {
        this.errors.push(error(`${printType(type)} isn't a defined input type (on $${variable})`, loc, [label], { code: 'variableRequiresValidType', typeName: printType(type), variableName: variable }));
      } else if (defaultValue !== undefined && !literalFits(defaultValue, type, this.types)) {
        this.errors.push(error(`Default value for $${variable} doesn't match type ${printType(type)}`, loc, [label], { code: 'defaultValueInvalidType', variableName: variable, typeName: printType(type) }));
      }
    }
    const seen = new Set();
    for (const usage of usages) {
      seen.add(usage.name);
      const definition = declared.get(usage.name);
      if (!definition) {
        this.errors.push(error(`Variable $${usage.name} is used by ${label} but not declared`, usage.loc, usage.path, { code: 'variableNotDefined', variableName: usage.name }));
        continue;
      }
      let variableType = definition.type;
      if (variableType.kind !== 'NonNull' && definition.defaultValue && definition.defaultValue.kind !== 'Null') variableType = { kind: 'NonNull', ofType: variableType };
      let locationType = usage.type;
      if (locationType.kind === 'NonNull' && usage.hasDefault) locationType = locationType.ofType;
      if (isSubtype(variableType, locationType)) continue;
      const kind = printType(stripNonNull(definition.type)) === printType(stripNonNull(usage.type)) ? 'Nullability' : 'Type';
      this.errors.push(error(`${kind} mismatch on variable $${usage.name} and argument ${usage.argument} (${printType(definition.type)} / ${printType(usage.type)})`,
        usage.loc, usage.path, { code: 'variableMismatch', variableName: usage.name, typeName: printType(definition.type), argumentName: usage.argument, errorMessage: `${kind} mismatch` }));
    }
    for (const [name, definition] of declared) {
      if (!seen.has(name)) this.errors.push(error(`Variable $${name} is declared by ${label} but not used`, definition.loc, [label], { code: 'variableNotUsed', variableName: name }));
    }
  }

  /** Checks a fragment's type condition; false when it cannot be used at all. */
  condition(typeName, parentName, loc, path) {
    const type = this.types[typeName];
    if (!type) {
      this.errors.push(error(`No such type ${typeName}, so it can't be a fragment condition`, loc, path, { code: 'undefinedType', typeName }));
      return false;
    }
    if (!isComposite(type)) {
      this.errors.push(error(`Invalid fragment on type ${typeName} (must be Union, Interface or Object)`, loc, path, { code: 'fragmentOnNonCompositeType', typeName }));
      return false;
    }
    if (parentName && !overlap(this.types, parentName, typeName)) {
      this.errors.push(error(`Fragment on ${typeName} can't be spread inside ${parentName}`, loc, path, { code: 'cantSpreadFragment', typeName, fragmentName: 'unknown', parentName }));
      return false;
    }
    return true;
  }

  selections(selections, parentName, path, info) {
    const parent = this.types[parentName];
    for (const selection of selections) {
      this.directives(selection.directives, path, info);
      if (selection.kind === 'Field') this.field(selection, parent, path, info);
      else if (selection.kind === 'InlineFragment') {
        const condition = selection.typeCondition ?? parentName;
        const here = [...path, selection.typeCondition ? `... on ${selection.typeCondition}` : '...'];
        if (this.condition(condition, parentName, selection.loc, here)) this.selections(selection.selectionSet, condition, here, info);
      } else {
        const fragment = this.fragments.get(selection.name);
        const here = [...path, `... ${selection.name}`];
        if (!fragment) {
          this.errors.push(error(`Fragment ${selection.name} was used, but not defined`, selection.loc, here, { code: 'useAndDefineFragment', fragmentName: selection.name }));
          continue;
        }
        info.spreads.add(selection.name);
        if (this.types[fragment.typeCondition] && isComposite(this.types[fragment.typeCondition]) && !overlap(this.types, parentName, fragment.typeCondition)) {
          this.errors.push(error(`Fragment ${selection.name} on ${fragment.typeCondition} can't be spread inside ${parentName}`, selection.loc, here, { code: 'cantSpreadFragment', typeName: fragment.typeCondition, fragmentName: selection.name, parentName }));
        }
      }
    }
  }

  field(node, parent, path, info) {
    const here = [...path, node.alias ?? node.name];
    if (node.name === '__typename') {
      if (node.selectionSet) this.leafSelections(node, 'String!', 'scalars', here);
      return;
    }
    const definition = parent.fields?.[node.name];
    if (!definition) {
      this.errors.push(error(`Field '${node.name}' doesn't exist on type '${parent.name}'`, node.loc, here, { code: 'undefinedField', typeName: parent.name, fieldName: node.name }));
      return;
    }
    this.arguments(node, definition.args, here, info, 'Field', node.name);
    const type = this.types[namedType(definition.type)];
    if (isLeaf(type)) {
      if (node.selectionSet) this.leafSelections(node, printType(definition.type), type.kind === 'ENUM' ? 'enums' : 'scalars', here);
    } else if (!node.selectionSet) {
      this.errors.push(error(`Field must have selections (field '${node.name}' returns ${printType(definition.type)} but has no selections. Did you mean '${node.name} { ... }'?)`,
        node.loc, here, { code: 'selectionMismatch', nodeName: `field '${node.name}'`, typeName: printType(definition.type) }));
    } else this.selections(node.selectionSet, type.name, here, info);
  }

  leafSelections(node, typeText, what, path) {
    const names = node.selectionSet.filter((s) => s.kind === 'Field').map((s) => s.name).join(', ');
    this.errors.push(error(`Selections can't be made on ${what} (field '${node.name}' returns ${typeText} but has selections [${names}])`,
      node.loc, path, { code: 'selectionMismatch', nodeName: `field '${node.name}'`, typeName: typeText }));
  }

  arguments(node, definitions, path, info, owner, ownerName) {
    for (const arg of node.arguments) {
      const definition = definitions[arg.name];
      if (!definition) {
        this.errors.push(error(`${owner} '${ownerName}' doesn't accept argument '${arg.name}'`, arg.loc, [...path, arg.name],
          { code: 'argumentNotAccepted', name: ownerName, typeName: owner, argumentName: arg.name }));
        continue;
      }
      if (!literalFits(arg.value, definition.type, this.types)) {
        this.errors.push(error(`Argument '${arg.name}' on ${owner} '${ownerName}' has an invalid value (${printValue(arg.value)}). Expected type '${printType(definition.type)}'.`,
          arg.loc, [...path, arg.name], { code: 'argumentLiteralsIncompatible', typeName: owner, argumentName: arg.name }));
      }
      this.usages(arg.value, definition.type, definition.defaultValue !== undefined, arg.name, path, info);
    }
    const given = new Set(node.arguments.map((arg) => arg.name));
    const missing = Object.values(definitions).filter((d) => d.type.kind === 'NonNull' && d.defaultValue === undefined && !given.has(d.name)).map((d) => d.name);
    if (missing.length) {
      this.errors.push(error(`${owner} '${ownerName}' is missing required arguments: ${missing.join(', ')}`, node.loc, path,
        { code: 'missingRequiredArguments', className: owner, name: ownerName, arguments: missing.join(', ') }));
    }
  }

  /** Records the variables inside a literal, each with the type expected where it stands. */
  usages(value, type, hasDefault, argument, path, info) {
    if (value.kind === 'Variable') {
      info.usages.push({ name: value.name, type, hasDefault, argument, loc: value.loc, path });
      return;
    }
    const inner = type.kind === 'NonNull' ? type.ofType : type;
    if (value.kind === 'List' && inner.kind === 'List') {
      for (const item of value.values) this.usages(item, inner.ofType, false, argument, path, info);
    } else if (value.kind === 'Object' && inner.kind === 'Named' && this.types[inner.name]?.kind === 'INPUT_OBJECT') {
      for (const f of value.fields) {
        const fieldType = this.types[inner.name].fields[f.name]?.type;
        if (fieldType) this.usages(f.value, fieldType, false, argument, path, info);
      }
    }
  }

  directives(directives, path, info) {
    for (const directive of directives) {
      if (!DIRECTIVES.has(directive.name)) {
        this.errors.push(error(`Directive @${directive.name} is not defined`, directive.loc, path, { code: 'undefinedDirective', directiveName: directive.name }));
        continue;
      }
      this.arguments(directive, { if: { name: 'if', type: BOOLEAN } }, path, info, 'Directive', directive.name);
    }
  }
}

/** The validation errors of a document (empty when it is valid). */
export function validate(document, types) {
  return new Validator(document, types).run();
}
