import restify from 'restify';

/** The query string and JSON bodies up to `maxBodyBytes` (MAX_BODY_BYTES), read for every route. */
export function registerBodyParsing(server: restify.Server, maxBodyBytes: number): void {
  server.use(restify.plugins.queryParser());
  // restify's jsonBodyParser reads `maxBodySize` through its body reader; its typings only list it on bodyParser.
  const jsonOptions: restify.plugins.JsonBodyParserOptions & restify.plugins.BodyParserOptions = {
    maxBodySize: maxBodyBytes,
    mapParams: false,
  };
  server.use(restify.plugins.jsonBodyParser(jsonOptions));
}

/** Restify answers a bad body on its own; this says what went wrong in both languages. */
export function registerBodyErrors(server: restify.Server, maxBodyBytes: number): void {
  server.on('restifyError', (req, res, err, callback) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    const messages: Record<number, string> = {
      400: 'Ugyldig JSON / malformed JSON',
      413: `Forespørgslen er for stor / request body too large (max ${maxBodyBytes} bytes)`,
      415: 'Forkert indholdstype / unsupported content type',
    };
    (err as { toJSON?: () => unknown }).toJSON = () => ({ error: messages[status] ?? err.message });
    return callback();
  });
}
