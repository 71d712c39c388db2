// The app of the other snippets (a Kysely audit and db), and the part of Deno's API the fetch
// example uses (Deno's own types are not installed here).
interface DB {
  orders: { id: number; status: string }
}
declare const audit: import('@chronicle/kysely').KyselyAudit<DB>
declare const db: import('kysely').Kysely<DB>
type AuthedRequest = import('node:http').IncomingMessage & { user?: { id: string } }
declare namespace Deno {
  interface NetAddr {
    transport: 'tcp' | 'udp'
    hostname: string
    port: number
  }
  interface ServeHandlerInfo {
    remoteAddr: NetAddr | { transport: 'unix'; path: string }
  }
  function serve(
    options: { port: number },
    handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>,
  ): unknown
}
declare const app: import('express').Express
declare const metrics: { increment(name: string): void }
declare const requests: import('@chronicle/core').RequestAudit
