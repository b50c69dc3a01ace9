// Executes a validated operation (GraphQL spec §6): fields collected per response key
// (fragments applied by runtime type, @skip/@include honoured), resolvers called with
// coerced arguments, values completed against their types. A resolver that returns or
// throws a FieldError (or puts one in a list) yields null there plus an error
// {type, path, locations, message}, the rest of the answer kept; a null in a non-null
// position nulls its parent, up to `data`.
import { typeApplies } from './schema.js';
import { argumentValues } from './values.js';
import { FieldError } from './resolvers.js';

// Returned by completion when a null must bubble up to the nearest nullable parent.
const BUBBLE = Symbol('null in a non-null position');

class Executor {
  constructor({ document, variables, types, resolvers, context, typeOf }) {
    Object.assign(this, { variables, types, resolvers, context, typeOf });
    this.fragments = new Map(document.definitions.filter((d) => d.kind === 'FragmentDefinition').map((d) => [d.name, d]));
    this.errors = [];
    // Within one execution the variables are fixed, so a field node's arguments and the
    // fields collected for a selection are the same for every object they apply to.
    this.argumentsOf = new Map();  // field node → argument values
    this.collected = new Map();  // field nodes array → Map(runtime type → fields)
  }

  included(node) {
    for (const directive of node.directives ?? []) {
      if (directive.name !== 'skip' && directive.name !== 'include') continue;
      const { if: condition } = argumentValues({ if: { name: 'if', type: { kind: 'Named', name: 'Boolean' } } }, directive.arguments, this.variables, this.types);
      if ((directive.name === 'skip') === Boolean(condition)) return false;
    }
    return true;
  }

  /** Response key → field nodes, for an object of type `typeName`. */
  collect(typeName, selections, fields = new Map(), visited = new Set()) {
    for (const selection of selections) {
      if (!this.included(selection)) continue;
      if (selection.kind === 'Field') {
        const key = selection.alias ?? selection.name;
        if (!fields.has(key)) fields.set(key, []);
        fields.get(key).push(selection);
      } else if (selection.kind === 'InlineFragment') {
        if (!selection.typeCondition || typeApplies(this.types, selection.typeCondition, typeName)) {
          this.collect(typeName, selection.selectionSet, fields, visited);
        }
      } else if (!visited.has(selection.name)) {
        visited.add(selection.name);
        const fragment = this.fragments.get(selection.name);
        if (fragment && typeApplies(this.types, fragment.typeCondition, typeName)) this.collect(typeName, fragment.selectionSet, fields, visited);
      }
    }
    return fields;
  }

  /** The object for `source` as `typeName`, or BUBBLE. */
  object(typeName, source, fields, path) {
    const out = {};
    for (const [key, nodes] of fields) {
      const value = this.field(typeName, source, nodes, [...path, key]);
      if (value === BUBBLE) return BUBBLE;
      out[key] = value;
    }
    return out;
  }

  field(typeName, source, nodes, path) {
    const node = nodes[0];
    if (node.name === '__typename') return typeName;
    const definition = this.types[typeName].fields[node.name];
    const resolve = this.resolvers[typeName]?.[node.name];
    let value;
    try {
      let args = this.argumentsOf.get(node);
      if (!args) this.argumentsOf.set(node, (args = argumentValues(definition.args, node.arguments, this.variables, this.types)));
      value = resolve ? resolve(source, args, this.context) : source[node.name];
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      value = err;
    }
    return this.complete(definition.type, nodes, value, path, `${typeName}.${node.name}`);
  }

  /** A completed value; BUBBLE when a null (already reported) must reach a nullable parent. */
  complete(typeRef, nodes, value, path, fieldName) {
    if (value instanceof FieldError) {
      this.errors.push({ type: value.type, path, locations: [nodes[0].loc], message: value.message });
      return typeRef.kind === 'NonNull' ? BUBBLE : null;
    }
    if (typeRef.kind !== 'NonNull') {
      const result = this.completeNullable(typeRef, nodes, value, path, fieldName);
      return result === BUBBLE ? null : result;
    }
    const result = this.completeNullable(typeRef.ofType, nodes, value, path, fieldName);
    if (result === null) {
      this.errors.push({ message: `Cannot return null for non-nullable field ${fieldName}`, path, locations: [nodes[0].loc] });
      return BUBBLE;
    }
    return result;
  }

  completeNullable(typeRef, nodes, value, path, fieldName) {
    if (value === null || value === undefined) return null;
    if (typeRef.kind === 'List') {
      const items = [];
      for (let i = 0; i < value.length; i++) {
        const item = this.complete(typeRef.ofType, nodes, value[i], [...path, i], fieldName);
        if (item === BUBBLE) return BUBBLE;
        items.push(item);
      }
      return items;
    }
    const type = this.types[typeRef.name];
    if (type.kind === 'SCALAR' || type.kind === 'ENUM') return value;
    const runtime = type.kind === 'OBJECT' ? type.name : this.typeOf(value);
    let byType = this.collected.get(nodes);
    if (!byType) this.collected.set(nodes, (byType = new Map()));
    let fields = byType.get(runtime);
    if (!fields) {
      byType.set(runtime, (fields = new Map()));
      for (const node of nodes) if (node.selectionSet) this.collect(runtime, node.selectionSet, fields);
    }
    return this.object(runtime, value, fields, path);
  }
}

/**
 * Runs `operation` (a query) and returns {data, errors}. `resolvers[Type][field]`
 * (source, args, context); `typeOf(value)` names the object type of an abstract value.
 */
export function execute({ document, operation, variables, types, resolvers, context, typeOf, rootValue = {} }) {
  const executor = new Executor({ document, variables, types, resolvers, context, typeOf });
  const fields = executor.collect('Query', operation.selectionSet);
  const data = executor.object('Query', rootValue, fields, []);
  return { data: data === BUBBLE ? null : data, errors: executor.errors };
}
