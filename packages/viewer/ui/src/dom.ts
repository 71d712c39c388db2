/** What `h` accepts as a child: nodes, text (always set as text, never parsed) or nothing. */
export type Child = Node | string | number | null | undefined | false

type Attributes = Record<string, string | number | boolean | null | undefined>

/**
 * Creates an element. Attributes go through `setAttribute` and children through `append`,
 * so data is only ever text: a stored `<script>` shows as characters and never runs.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '')
    else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value))
    }
  }
  append(element, ...children)
  return element
}

export function append(parent: Element | DocumentFragment, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.append(typeof child === 'number' ? String(child) : child)
  }
}

/** Text only a screen reader reads (the visual cue beside it says the same). */
export const hidden = (text: string) => h('span', { class: 'visually-hidden' }, text)
