import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GatewayHttpApp } from '../http/app.js';
import { FIRST_QUERY } from './firstQuery.js';

/**
 * A self-contained GraphiQL at /graphiql for networks that cannot reach Apollo's CDN (which the
 * Sandbox landing page loads from). Every script, style and font comes from the gateway itself:
 * the assets are served from the npm packages (graphiql 3's UMD bundle, React 18's UMD builds), and
 * the page's Content-Security-Policy forbids anything else. Queries go to /graphql as JSON POSTs,
 * which Apollo's CSRF prevention accepts.
 */

const require = createRequire(import.meta.url);

function packageFile(packageName: string, file: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), file);
}

interface Asset {
  readonly path: string;
  readonly contentType: string;
}

/** URL name → file; graphiql's UMD bundle expects the React and ReactDOM globals of these builds. */
const ASSETS: Readonly<Record<string, Asset>> = {
  'graphiql.min.css': { path: packageFile('graphiql', 'graphiql.min.css'), contentType: 'text/css; charset=utf-8' },
  'graphiql.min.js': { path: packageFile('graphiql', 'graphiql.min.js'), contentType: 'text/javascript; charset=utf-8' },
  'react.production.min.js': {
    path: packageFile('react', 'umd/react.production.min.js'),
    contentType: 'text/javascript; charset=utf-8',
  },
  'react-dom.production.min.js': {
    path: packageFile('react-dom', 'umd/react-dom.production.min.js'),
    contentType: 'text/javascript; charset=utf-8',
  },
};

/**
 * No inline script or style anywhere, so 'self' is enough; fonts are data: URIs inside graphiql's CSS.
 * connect-src 'self' keeps the fetcher on this gateway.
 */
export const GRAPHIQL_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Relative URLs, so the page also works behind a proxy that mounts the gateway under a path prefix.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>GraphiQL · Finance GraphQL gateway</title>
    <!-- An empty icon: otherwise the browser asks for /favicon.ico, which the gateway does not serve. -->
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="graphiql/assets/graphiql.min.css" />
    <link rel="stylesheet" href="graphiql/page.css" />
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="graphiql/assets/react.production.min.js"></script>
    <script src="graphiql/assets/react-dom.production.min.js"></script>
    <script src="graphiql/assets/graphiql.min.js"></script>
    <script src="graphiql/app.js"></script>
  </body>
</html>
`;

const PAGE_CSS = `html, body { margin: 0; height: 100%; }
#graphiql { height: 100vh; }
`;

// The URL's query, variables and operationName parameters open the editor with them, and edits are
// written back, so a link reproduces what is on screen. Without them a first visit opens on the
// README's first query (defaultQuery; GraphiQL keeps later edits in the browser's storage).
const BOOTSTRAP = `(function () {
  'use strict';
  var params = new URLSearchParams(window.location.search);
  function remember(name, value) {
    if (value) params.set(name, value); else params.delete(name);
    window.history.replaceState(null, '', window.location.pathname + '?' + params.toString());
  }
  var fetcher = GraphiQL.createFetcher({ url: new URL('graphql', window.location.href).toString() });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      query: params.get('query') || undefined,
      defaultQuery: ${JSON.stringify(FIRST_QUERY)},
      variables: params.get('variables') || undefined,
      operationName: params.get('operationName') || undefined,
      defaultEditorToolsVisibility: true,
      onEditQuery: function (value) { remember('query', value); },
      onEditVariables: function (value) { remember('variables', value); },
      onEditOperationName: function (value) { remember('operationName', value); },
    }),
  );
})();
`;

/** Registers GET /graphiql, its bootstrap script and stylesheet, and the package assets. */
export async function registerGraphiql(app: GatewayHttpApp): Promise<void> {
  // Fail at start-up, not on a browser's first visit, if an install lacks a file.
  await Promise.all(Object.values(ASSETS).map((asset) => access(asset.path)));

  app.get('/graphiql', (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', GRAPHIQL_CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(PAGE),
  );
  app.get('/graphiql/app.js', (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('x-content-type-options', 'nosniff').send(BOOTSTRAP),
  );
  app.get('/graphiql/page.css', (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('x-content-type-options', 'nosniff').send(PAGE_CSS),
  );
  app.get<{ Params: { file: string } }>('/graphiql/assets/:file', (request, reply) => {
    const asset = Object.hasOwn(ASSETS, request.params.file) ? ASSETS[request.params.file] : undefined;
    if (!asset) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found');
    return reply
      .header('content-type', asset.contentType)
      .header('x-content-type-options', 'nosniff')
      // The files change only with the installed package version; a day's caching spares reloads.
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(asset.path));
  });
}
