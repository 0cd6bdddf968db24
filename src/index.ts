/**
 * Gatehouse: a Fetch-exact CORS policy engine (this entry point) and a front door for AI
 * gateways (the `gatehouse` CLI). Framework adapters live at `gatehouse-proxy/node`,
 * `gatehouse-proxy/fastify` and `gatehouse-proxy/hono`.
 */
export * from "./core/index.js";
