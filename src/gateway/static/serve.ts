/**
 * Static files for the control UI, with sirv: correct MIME types, ETag and Last-Modified,
 * precompressed `.br`/`.gz` siblings, no dotfiles. sirv scans the directory once at start-up
 * and answers from that map, so a request path is never joined onto the file system. The path
 * handed over is the door's normalized one, with the route's prefix removed.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import sirv from "sirv";

export type StaticHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  notFound: () => void,
) => void;

export function staticHandler(root: string, spa: boolean): StaticHandler {
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
      // index.html must be revalidated so a new UI build is picked up; hashed assets may cache.
      if (pathname.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
    },
  });
  return (req, res, path, notFound) => {
    req.url = path;
    serve(req, res, notFound);
  };
}
