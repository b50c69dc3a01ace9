// Walks the fields an operation selects, fragments expanded where they are spread
// (whatever their type condition: a static view of the query, as GitHub's cost and
// pagination rules take it). `enter(field, context)` returns the context of the field's
// own selections; the context starts as `root`.
import { namedType } from './schema.js';

/**
 * enter(node, {parentType, definition, typeName, path, context}) → child context.
 * `definition` is the schema field (undefined when the schema lacks it), `path` the
 * response keys from the root.
 */
export function walkFields(document, operation, types, root, enter) {
  const fragments = new Map(document.definitions.filter((d) => d.kind === 'FragmentDefinition').map((d) => [d.name, d]));
  const rootType = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' }[operation.operation];
  const visit = (selections, parentType, path, context, active) => {
    for (const selection of selections) {
      if (selection.kind === 'InlineFragment') {
        visit(selection.selectionSet, selection.typeCondition ?? parentType, path, context, active);
      } else if (selection.kind === 'FragmentSpread') {
        const fragment = fragments.get(selection.name);
        if (!fragment || active.has(fragment.name)) continue;  // cycles are validation errors
        visit(fragment.selectionSet, fragment.typeCondition, path, context, new Set([...active, fragment.name]));
      } else {
        const definition = types?.[parentType]?.fields?.[selection.name];
        const typeName = definition ? namedType(definition.type) : null;
        const here = [...path, selection.alias ?? selection.name];
        const child = enter(selection, { parentType, definition, typeName, path: here, context });
        if (selection.selectionSet) visit(selection.selectionSet, typeName, here, child, active);
      }
    }
  };
  visit(operation.selectionSet, rootType, [], root, new Set());
}

/** The value of an Int argument (a literal or a variable), or undefined. */
export function intArgument(node, name, variables) {
  const arg = node.arguments.find((a) => a.name === name);
  if (!arg) return undefined;
  if (arg.value.kind === 'Variable') return variables[arg.value.name] ?? undefined;
  return arg.value.kind === 'Int' ? Number(arg.value.value) : undefined;
}
