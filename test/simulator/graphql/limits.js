// GitHub's limits on what one query may ask, checked after validation and before any
// point is charged (a query that breaks one is answered {"data": null, "errors": [...]},
// free): `first`/`last` within 0..100 and present on a connection whose nodes or edges
// are selected, at most 100 ids in nodes(ids:), at most 500,000 possible nodes.
import { isConnection, pageSize } from './cost.js';
import { intArgument, walkFields } from './walk.js';

export const MAX_PAGE = 100;
export const MAX_IDS = 100;
export const MAX_NODES = 500_000;

function selectsItems(selections) {
  return selections.some((s) => (s.kind === 'Field' ? s.name === 'nodes' || s.name === 'edges'
    : s.kind === 'InlineFragment' && selectsItems(s.selectionSet)));
}

function idCount(node, variables) {
  const arg = node.arguments.find((a) => a.name === 'ids');
  if (!arg) return 0;
  if (arg.value.kind === 'Variable') {
    const value = variables[arg.value.name];
    return Array.isArray(value) ? value.length : value == null ? 0 : 1;
  }
  return arg.value.kind === 'List' ? arg.value.values.length : 1;
}

/** The limit errors of `operation` (empty when it may run). */
export function checkLimits(document, operation, variables, types, nodeCount) {
  const errors = [];
  const fail = (type, node, path, message) => errors.push({ type, path, locations: [node.loc], message });
  walkFields(document, operation, types, null, (node, { parentType, typeName, path }) => {
    if (parentType === 'Query' && node.name === 'nodes') {
      const count = idCount(node, variables);
      if (count > MAX_IDS) fail('ARGUMENT_LIMIT', node, path, `You may not provide more than ${MAX_IDS} node ids; you provided ${count}.`);
    }
    if (!isConnection(node, typeName, variables)) return null;
    for (const arg of ['first', 'last']) {
      const value = intArgument(node, arg, variables);
      if (value > MAX_PAGE) {
        fail('EXCESSIVE_PAGINATION', node, path, `Requesting ${value} records on the \`${node.name}\` connection exceeds the \`${arg}\` limit of ${MAX_PAGE} records.`);
      } else if (value < 0) {
        fail('INVALID_ARGUMENTS', node, path, `\`${arg}\` on the \`${node.name}\` connection cannot be less than 0.`);
      }
    }
    if (pageSize(node, variables) === null && node.selectionSet && selectsItems(node.selectionSet)) {
      fail('MISSING_PAGINATION_BOUNDARIES', node, path, `You must provide a \`first\` or \`last\` value to properly paginate the \`${node.name}\` connection.`);
    }
    return null;
  });
  if (!errors.length && nodeCount > MAX_NODES) {
    errors.push({
      type: 'MAX_NODE_LIMIT_EXCEEDED',
      message: `This query requests up to ${nodeCount.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${MAX_NODES.toLocaleString('en-US')}.`,
    });
  }
  return errors;
}
