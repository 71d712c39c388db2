import type { ViewerLabels } from './options.js'

const ROW_ACTIONS: Readonly<Record<string, string>> = {
  INSERT: 'Created',
  UPDATE: 'Updated',
  DELETE: 'Deleted',
}

/**
 * The default human text of an action.
 *
 * ### Examples
 * ```ts
 * defaultLabel('INSERT')                // 'Created'
 * defaultLabel('billing.plan.changed')  // 'Billing plan changed'
 * defaultLabel('user.signedIn')         // 'User signed in'
 * ```
 */
export function defaultLabel(action: string): string {
  const row = ROW_ACTIONS[action]
  if (row) return row
  const words = action
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[._\-\s]+/)
    .filter(Boolean)
    .join(' ')
    .toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The labelling function for a viewer: the app's labels first, then the default. */
export function labeller(labels: ViewerLabels | undefined): (action: string) => string {
  if (typeof labels === 'function') return (action) => labels(action) ?? defaultLabel(action)
  if (labels) {
    return (action) =>
      (Object.hasOwn(labels, action) ? labels[action] : undefined) ?? defaultLabel(action)
  }
  return defaultLabel
}
