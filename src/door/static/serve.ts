/**
 * Static files for the control UI, with sirv: correct MIME types, ETag and Last-Modified,
 * precompressed `.br`/`.gz` siblings, no dotfiles. sirv scans the directory once at start-up
 * and answers from that map, so a request path is never joined onto the file system. The path
 * handed over is the door's normalized one, with the route's prefix removed.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import sirv from "sirv";

/** Sets the door's own headers (CORS, Vary, HSTS) on a response sirv is about to send. */
export type Decorate = (res: ServerResponse) => void;

export type StaticHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  decorate: Decorate,
  notFound: () => void,
) => void;

export function staticHandler(root: string, spa: boolean): StaticHandler {
  // sirv sets `Vary: Accept-Encoding` (replacing any earlier Vary) just before it calls
  // setHeaders, so that is where the door's headers go, merged.
  const decorations = new WeakMap<ServerResponse, Decorate>();
  const serve = sirv(root, {
    dev: false,
    etag: true,
    brotli: true,
    gzip: true,
    dotfiles: false,
    // Unknown paths without an extension get index.html (sirv skips paths with extensions).
    single: spa,
    setHeaders(res, pathname) {
      res.setHeader("X-Content-Type-Options", "nosniff");
      // HTML (the SPA entry) must be revalidated so a new UI build is picked up.
      if (pathname === "/" || pathname.endsWith(".html") || !/\.[^/]+$/.test(pathname))
        res.setHeader("Cache-Control", "no-cache");
      decorations.get(res)?.(res);
    },
  });
  return (req, res, path, decorate, notFound) => {
    req.url = path;
    decorate(res); // for the answers sirv gives without calling setHeaders (304)
    decorations.set(res, decorate);
    serve(req, res, notFound);
  };
}
