/**
 * The header names the doctor and the audit send and read, each spelled once, in the case they
 * are sent and shown. Reading is case-insensitive (RFC 9110 §5.1): `headerValue(res, name)`
 * finds `access-control-allow-origin` under `HEADER.allowOrigin`.
 */
export const HEADER = {
  // CORS requests (fetch.bs §http-requests; Private Network Access)
  origin: "Origin",
  requestMethod: "Access-Control-Request-Method",
  requestHeaders: "Access-Control-Request-Headers",
  requestPrivateNetwork: "Access-Control-Request-Private-Network",

  // CORS responses (fetch.bs §http-responses)
  allowOrigin: "Access-Control-Allow-Origin",
  allowCredentials: "Access-Control-Allow-Credentials",
  allowMethods: "Access-Control-Allow-Methods",
  allowHeaders: "Access-Control-Allow-Headers",
  allowPrivateNetwork: "Access-Control-Allow-Private-Network",
  exposeHeaders: "Access-Control-Expose-Headers",
  maxAge: "Access-Control-Max-Age",
  vary: "Vary",

  // What a browser adds to a request (Chromium's spelling)
  accept: "Accept",
  acceptEncoding: "Accept-Encoding",
  acceptLanguage: "Accept-Language",
  userAgent: "User-Agent",
  referer: "Referer",
  secFetchSite: "Sec-Fetch-Site",
  secFetchMode: "Sec-Fetch-Mode",
  secFetchDest: "Sec-Fetch-Dest",

  // Other requests and responses
  host: "Host",
  authorization: "Authorization",
  contentType: "Content-Type",
  range: "Range",
  location: "Location",

  // The WebSocket opening handshake (RFC 6455 §4.1, §4.2.2)
  connection: "Connection",
  upgrade: "Upgrade",
  secWebSocketKey: "Sec-WebSocket-Key",
  secWebSocketVersion: "Sec-WebSocket-Version",
  secWebSocketAccept: "Sec-WebSocket-Accept",
} as const;

export type HeaderName = (typeof HEADER)[keyof typeof HEADER];

/** Header names compare case-insensitively (RFC 9110 §5.1). */
export function sameName(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}
