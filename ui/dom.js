// @ts-check
/**
 * Tiny DOM helpers. Text always goes in as text nodes, never as HTML: everything shown here
 * (model output, echoed messages, policy values) comes from the network.
 */

/**
 * The element with this id, checked to be of the expected type.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, prototype: T }} type  e.g. `HTMLButtonElement`
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`#${id} is missing or not the expected element`);
  return node;
}

/**
 * Creates an element with attributes and children (strings become text nodes).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} [attributes]
 * @param {...(Node | string)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/**
 * Keeps a scrolled log pinned to its bottom while new content arrives, unless the reader has
 * scrolled up to read something.
 * @param {HTMLElement} log
 * @param {() => void} change  the DOM change to make
 */
export function appendScrolled(log, change) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  change();
  if (atBottom) log.scrollTop = log.scrollHeight;
}
