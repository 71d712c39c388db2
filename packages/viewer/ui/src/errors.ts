import { ApiError } from './api.js'
import type { View } from './context.js'
import { h } from './dom.js'

/** What a person should read for a refused or failed request, by status. */
export function explain(error: unknown): { title: string; message: string } {
  if (!(error instanceof ApiError)) {
    return { title: 'Something went wrong', message: 'The page could not be shown. Try again.' }
  }
  switch (error.status) {
    case 401:
      return {
        title: 'Sign in required',
        message:
          'You are not signed in, or your session has expired (401). Sign in and reload this page.',
      }
    case 403:
      return {
        title: 'Not allowed',
        message: `You do not have permission for this (403): ${error.message}`,
      }
    case 404:
      return {
        title: 'Not found',
        message: 'There is nothing here, or it is not visible to you (404).',
      }
    case 400:
      return {
        title: 'Invalid request',
        message: `The request was refused (400): ${error.message}`,
      }
    case 409:
      return { title: 'Conflict', message: `${error.message} (409)` }
    default:
      return {
        title: 'Something went wrong',
        message: `The server answered ${error.status}. Try again later.`,
      }
  }
}

/** An alert, announced by screen readers as soon as it appears. */
export const alert = (message: string) => h('p', { class: 'alert', role: 'alert' }, message)

export function errorView(error: unknown): View {
  const { title, message } = explain(error)
  return { title, content: alert(message) }
}
