import type { Activity } from 'botbuilder';
import type restify from 'restify';
import type { Config } from '../config';
import type { BotAdapter } from '../framework/adapter';
import type { MitIdBot } from '../bot/mitid-bot';
import { describeActivityProblem } from '../http/activity-schema';
import { serviceUrlAllowed } from '../http/service-url-policy';
import type { Logger } from '../logger';
import { serviceUrlAllowList } from '../config';
import type { Requests } from './requests';

export interface MessagesRouteDeps {
  config: Config;
  adapter: BotAdapter;
  bot: MitIdBot;
  logger: Logger;
  requests: Requests;
}

/** POST /api/messages: the Bot Framework channels' way in, checked before a turn runs. */
export function registerMessagesRoute(server: restify.Server, { config, adapter, bot, logger, requests }: MessagesRouteDeps): void {
  const allowedServiceUrls = serviceUrlAllowList(config);
  server.post('/api/messages', async (req, res) => {
    if (requests.closing) {
      res.send(503, { error: 'Botten lukker ned / the bot is shutting down' });
      return;
    }
    const problem = describeActivityProblem(req.body);
    if (problem) {
      res.send(400, { error: problem });
      return;
    }
    // Unauthenticated, a turn's replies are POSTed to the serviceUrl it names: only to allowed ones.
    const activity = req.body as Activity;
    if (!config.MicrosoftAppId && activity.deliveryMode !== 'expectReplies' && !serviceUrlAllowed(activity.serviceUrl, allowedServiceUrls)) {
      res.send(400, { error: 'Ugyldig aktivitet / invalid activity: serviceUrl: ikke på SERVICE_URL_ALLOW_LIST / not on SERVICE_URL_ALLOW_LIST' });
      return;
    }
    await requests.track(async () => {
      try {
        const { status, body } = await adapter.processChecked(req.headers.authorization ?? '', req.body as Activity, (context) => bot.run(context));
        if (body === undefined) res.send(status);
        else res.send(status, body);
      } catch (err) {
        logger.error({ err }, 'request failed');
        if (!res.headersSent) res.send(500, { error: 'Intern fejl / internal error' });
      }
    });
  });
}
