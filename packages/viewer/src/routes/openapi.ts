import type { RouteContext } from '../context.js'
import { openApiDocument } from '../openapi.js'
import { queryParams } from '../params.js'
import { json } from '../responses.js'

/** `GET openapi.json`: the API's OpenAPI 3.1 document, its server being the mount path. */
export async function openApi({ url, viewer }: RouteContext) {
  queryParams(url, [])
  return json(openApiDocument(viewer.basePath, viewer.title))
}
