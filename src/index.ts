/**
 * Gatehouse: a Fetch-exact CORS policy engine (this entry point) and a front door for AI
 * gateways (the `gatehouse` CLI). Framework adapters live at `gatehouse/node`,
 * `gatehouse/fastify` and `gatehouse/hono`.
 */
export * from "./core/index.js";
