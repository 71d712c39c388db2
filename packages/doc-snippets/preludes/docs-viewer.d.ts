// The app around the viewer snippets: an audit instance, a login, the viewer of the first
// snippet, a Hono app, and the part of Bun's API the last line uses (Bun's types are not installed).
declare const audit: import('@chronicle/core').Chronicle
declare function userFromSession(
  cookie: string | null,
): { id: string; name: string; isAdmin: boolean } | null
declare const viewer: ReturnType<typeof import('@chronicle/viewer').createViewer>
declare const app: import('hono').Hono
declare namespace Bun {
  function serve(options: { fetch: (request: Request) => Response | Promise<Response> }): unknown
}
