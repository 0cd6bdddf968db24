// @ts-check
/**
 * The policy panel: what the front door enforces, from `GET /_gatehouse/policy`. A front door
 * that does not publish it (or a static route that answers with the UI's own index.html)
 * gets a calm note instead of an error.
 */
import { h } from "./dom.js";

const POLICY_PATH = "/_gatehouse/policy";

/** Readable names of the CORS settings; other keys are shown as they are. */
const CORS_LABELS = /** @type {Record<string, string>} */ ({
  allowOrigins: "Allowed origins",
  allowCredentials: "Credentials",
  allowMethods: "Methods",
  allowHeaders: "Request headers",
  exposeHeaders: "Exposed headers",
  maxAge: "Preflight cache (s)",
  allowPrivateNetwork: "Private network access",
});

/**
 * One route; `target` (where it goes) and `cors` (whose policy applies) only when published.
 * @typedef {object} Route
 * @property {string} match
 * @property {string} kind
 * @property {string | null} target
 * @property {string | null} cors
 */

/**
 * The policy as the panel shows it: every value already a display string.
 * @typedef {object} PolicyView
 * @property {string | null} publicOrigin
 * @property {string[]} hosts
 * @property {boolean | null} csrf
 * @property {Array<[label: string, value: string]> | null} cors  null: no CORS section
 * @property {string[] | null} websocketOrigins  origins besides publicOrigin; null: not published
 * @property {Route[]} routes
 */

/**
 * @typedef {object} PolicyElements
 * @property {HTMLElement} container
 * @property {HTMLButtonElement} refresh
 */

/**
 * Wires the policy panel and loads the policy.
 * @param {PolicyElements} ui
 */
export function mountPolicy(ui) {
  const load = async () => {
    ui.container.setAttribute("aria-busy", "true");
    ui.refresh.disabled = true;
    try {
      ui.container.replaceChildren(await policyContent(location.origin));
    } finally {
      ui.container.removeAttribute("aria-busy");
      ui.refresh.disabled = false;
    }
  };
  ui.refresh.addEventListener("click", () => void load());
  void load();
}

/**
 * Fetches the policy and renders it, or a note saying why it cannot be shown.
 * @param {string} pageOrigin
 * @returns {Promise<Node>}
 */
async function policyContent(pageOrigin) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(POLICY_PATH, { headers: { accept: "application/json" } });
  } catch {
    return note(`Could not reach ${POLICY_PATH}: the front door may be down.`);
  }
  const type = response.headers.get("content-type") ?? "";
  if (response.status === 404 || (response.ok && !type.includes("json"))) {
    return note(
      `This front door does not publish its policy (GET ${POLICY_PATH} has no JSON answer).`,
    );
  }
  if (!response.ok)
    return note(`GET ${POLICY_PATH} answered ${response.status} ${response.statusText}.`);
  try {
    return renderPolicy(normalizePolicy(await response.json()), pageOrigin);
  } catch {
    return note(`GET ${POLICY_PATH} sent something that is not a policy.`);
  }
}

/**
 * Reads the policy JSON leniently: missing or odd fields become empty, so a newer front door
 * with more fields still renders. Throws only when the body is not an object at all.
 * @param {unknown} raw
 * @returns {PolicyView}
 */
export function normalizePolicy(raw) {
  if (!isRecord(raw)) throw new TypeError("the policy is not a JSON object");
  return {
    publicOrigin: typeof raw.publicOrigin === "string" ? raw.publicOrigin : null,
    hosts: Array.isArray(raw.hosts) ? raw.hosts.map(String) : [],
    csrf: typeof raw.csrf === "boolean" ? raw.csrf : null,
    cors: isRecord(raw.cors)
      ? Object.entries(raw.cors).map(([key, value]) => [CORS_LABELS[key] ?? key, display(value)])
      : null,
    websocketOrigins:
      isRecord(raw.websocket) && Array.isArray(raw.websocket.allowOrigins)
        ? raw.websocket.allowOrigins.map(String)
        : null,
    routes: Array.isArray(raw.routes) ? raw.routes.filter(isRecord).map(toRoute) : [],
  };
}

/**
 * A setting's value as text: lists joined, booleans as yes/no, nothing as a dash.
 * @param {unknown} value
 * @returns {string}
 */
export function display(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.map(display).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * @param {Record<string, unknown>} route
 * @returns {Route}
 */
function toRoute(route) {
  return {
    match: display(route.match),
    kind: display(route.kind),
    target: route.target === undefined ? null : display(route.target),
    cors: route.cors === undefined ? null : display(route.cors),
  };
}

/**
 * @param {PolicyView} policy
 * @param {string} pageOrigin
 * @returns {Node}
 */
function renderPolicy(policy, pageOrigin) {
  const origin = policy.publicOrigin;
  const sameOrigin = origin === pageOrigin;
  const facts = h(
    "dl",
    { class: "facts" },
    ...fact(
      "Public origin",
      origin === null ? "—" : h("code", {}, origin),
      origin === null
        ? ""
        : badge(sameOrigin ? "ok" : "warn", sameOrigin ? "this page" : "not this page's origin"),
    ),
    ...fact("Allowed hosts", ...chips(policy.hosts)),
    ...fact("CSRF guard", policy.csrf === null ? "—" : policy.csrf ? "on" : "off"),
    ...fact("CORS", corsContent(policy.cors)),
    ...(policy.websocketOrigins === null
      ? []
      : fact(
          "WebSocket origins",
          "this page",
          ...policy.websocketOrigins.map((o) => h("code", { class: "chip" }, o)),
        )),
  );
  const fragment = document.createDocumentFragment();
  fragment.append(facts, routesTable(policy.routes));
  return fragment;
}

/**
 * @param {PolicyView["cors"]} cors
 * @returns {Node | string}
 */
function corsContent(cors) {
  if (cors === null) return "Off: nothing is granted cross-origin (the single-origin set-up).";
  return h(
    "dl",
    { class: "facts nested" },
    ...cors.flatMap(([label, value]) => fact(label, value)),
  );
}

/**
 * The routes, with a Target or CORS column only when some route publishes one.
 * @param {Route[]} routes
 * @returns {HTMLElement}
 */
function routesTable(routes) {
  if (routes.length === 0) return h("p", { class: "muted" }, "No routes listed.");
  /** @type {Array<[heading: string, cell: (route: Route) => Node | string]>} */
  const columns = [
    ["Match", (r) => h("code", {}, r.match)],
    ["Kind", (r) => r.kind],
  ];
  if (routes.some((r) => r.target !== null)) columns.push(["Target", (r) => r.target ?? "—"]);
  if (routes.some((r) => r.cors !== null)) columns.push(["CORS", (r) => r.cors ?? "—"]);
  const head = h("tr", {}, ...columns.map(([heading]) => h("th", { scope: "col" }, heading)));
  const row = (/** @type {Route} */ r) =>
    h("tr", {}, ...columns.map(([, cell]) => h("td", {}, cell(r))));
  return h(
    "table",
    { class: "routes" },
    h("caption", {}, "Routes (first match wins)"),
    h("thead", {}, head),
    h("tbody", {}, ...routes.map(row)),
  );
}

/**
 * @param {string} term
 * @param {...(Node | string)} details
 * @returns {HTMLElement[]}
 */
function fact(term, ...details) {
  return [h("dt", {}, term), h("dd", {}, ...details)];
}

/**
 * @param {string[]} values
 * @returns {Array<Node | string>}
 */
function chips(values) {
  if (values.length === 0) return ["(none listed)"];
  return values.map((value) => h("code", { class: "chip" }, value));
}

/**
 * @param {"ok" | "warn"} tone
 * @param {string} text
 */
function badge(tone, text) {
  return h("span", { class: `badge badge-${tone}` }, text);
}

/** @param {string} text */
function note(text) {
  return h("p", { class: "notice" }, text);
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
