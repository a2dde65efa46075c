/*
 * React elements for Web Chat's extension points. The browser bundle (/webchat.js) keeps its
 * React to itself, and a React element is a plain object with a well-known tag, so these few
 * lines build one instead of shipping a second React next to it.
 */
const ELEMENT = Symbol.for('react.element');

/** Like React.createElement: `h('p', { className: 'x' }, 'text')`. */
export function h(type, props, ...children) {
  const { key, ...rest } = props || {};
  const own = { ...rest };
  if (children.length === 1) own.children = children[0];
  else if (children.length > 1) own.children = children;
  return { $$typeof: ELEMENT, type, key: key === undefined ? null : String(key), ref: null, props: own, _owner: null };
}
