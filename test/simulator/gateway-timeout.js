// GitHub's answers to a request it could not process in time. GitHub ends any request
// that takes more than 10 seconds and answers 502 or 504 ("Timeouts" in docs.github.com
// /graphql/overview/rate-limits-and-query-limits-for-the-graphql-api: "you may receive
// either a 502 or 504 status code. Both status codes indicate that your request timed
// out"; /rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts). Two forms are
// seen by clients:
//   json  502, application/json, from GitHub's application: for /graphql
//         {"data": null, "errors": [{"message": "Something went wrong while executing
//         your query. This may be the result of a timeout, or it could be a GitHub bug.
//         Please include `89A2:06E1:2CCCAA:33870F:63E26554` when reporting this issue."}]}
//         (apache/devlake#4349, semantic-release/github#1017, gayanvoice/top-github-users
//         #107), laid out as GitHub sends it; for REST {"message": "We couldn't respond to
//         your request in time. Sorry about that. ..."} (softprops/action-gh-release#612).
//   html  504 (or 502), text/html, nginx's page from the gateway, before the request
//         reaches the application (turbot/steampipe-plugin-github#518, apache/devlake#8469,
//         cli/cli#12715).
import { hash32 } from './random.js';
import { errorBody } from './reply.js';

export const TIMEOUT_FORMS = ['json', 'html', 'mixed'];

/** nginx's error page, as GitHub's gateway sends it (CRLF line ends). */
function nginxPage(status, reason) {
  return Buffer.from(`<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`);
}

const HTML_PAGES = { 502: nginxPage(502, 'Bad Gateway'), 504: nginxPage(504, 'Gateway Time-out') };
const HTML_TYPE = 'text/html';
const JSON_TYPE = 'application/json; charset=utf-8';
const REST_MESSAGE = 'We couldn\'t respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.';

/**
 * A request id in GitHub's shape (`89A2:06E1:2CCCAA:33870F:63E26554`), derived from
 * `key` so that a run's answers are the same bytes every time.
 */
export function gatewayRequestId(key) {
  const hex = (salt, width) => (hash32(key, salt) % 16 ** width).toString(16).toUpperCase().padStart(width, '0');
  return `${hex(1, 4)}:${hex(2, 4)}:${hex(3, 6)}:${hex(4, 6)}:${hex(5, 8)}`;
}

/** The body of GraphQL's JSON timeout answer, with GitHub's own layout. */
function graphqlTimeoutBody(requestId) {
  const message = `Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include \`${requestId}\` when reporting this issue.`;
  return Buffer.from(`{\n   "data": null,\n   "errors":[\n      {\n         "message":${JSON.stringify(message)}\n      }\n   ]\n}\n`);
}

/**
 * The reply for a timed-out request: {status, contentType, body, headers}.
 *   form     'json' (502, GitHub's JSON) or 'html' (nginx's page)
 *   graphql  whether the request was POST /graphql (the JSON bodies differ)
 *   status   for 'html', 504 (default) or 502; 'json' is always 502
 *   key      makes the request id (x-github-request-id and the GraphQL message)
 */
export function gatewayTimeout({ form, graphql, status = 504, key = '' }) {
  const requestId = gatewayRequestId(`timeout:${key}`);
  const headers = { 'x-github-request-id': requestId };
  if (form === 'html') return { status, contentType: HTML_TYPE, body: HTML_PAGES[status], headers };
  const body = graphql ? graphqlTimeoutBody(requestId) : errorBody(502, REST_MESSAGE);
  return { status: 502, contentType: JSON_TYPE, body, headers };
}
