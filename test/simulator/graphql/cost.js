// GitHub's documented point value of a query ("Rate limits and node limits for the
// GraphQL API"): every connection (a field with `first`/`last`, or whose type is a
// *Connection) needs one request per possible parent, i.e. the product of the
// `first`/`last` of the connections around it (1 where one has neither); the sum,
// divided by 100 and rounded, at least 1. nodeCount multiplies in the connection's own
// `first`/`last` too (the node limit's "total nodes"). nodes(ids:), repository(),
// object() and plain lists are not connections.
import { isConnectionType } from './schema.js';
import { intArgument, walkFields } from './walk.js';

/** The page size a connection field asks for: its first or last (the larger), else null. */
export function pageSize(node, variables) {
  const sizes = [intArgument(node, 'first', variables), intArgument(node, 'last', variables)].filter((n) => n !== undefined);
  return sizes.length ? Math.max(...sizes) : null;
}

/** Whether a field is a connection for GitHub's cost rules. */
export function isConnection(node, typeName, variables) {
  return pageSize(node, variables) !== null || (typeName !== null && isConnectionType(typeName));
}

/** {cost, requests, nodeCount} of `operation` with these variable values. */
export function queryCost(document, operation, variables = {}, types = null) {
  let requests = 0;
  let nodeCount = 0;
  walkFields(document, operation, types, 1, (node, { typeName, context: multiplier }) => {
    if (!isConnection(node, typeName, variables)) return multiplier;
    const size = Math.max(0, pageSize(node, variables) ?? 1);
    requests += multiplier;
    nodeCount += multiplier * size;
    return multiplier * size;
  });
  return { cost: Math.max(1, Math.round(requests / 100)), requests, nodeCount };
}
