/*
 * An agent's lines in the citizen's Web Chat (issue 16): her own name above them and her own
 * avatar beside them, never the bot's "MH". Built on Web Chat's extension points, keyed on the
 * server's mark (agent-mark.js).
 */
import { fill, initialsOf } from '../shared/texts.js';
import { agentOf } from './agent-mark.js';
import { h } from './elements.js';

/** Who a line is from, finer than Web Chat's role: the agent's lines reach the widget as the bot's. */
function speakerOf(activity) {
  const agent = agentOf(activity);
  return agent ? 'agent:' + agent : (activity.from && activity.from.role) || '';
}

/** Splits each of `groups` where the speaker changes. */
function splitBySpeaker(groups) {
  return groups.flatMap((group) => {
    const runs = [];
    for (const activity of group) {
      const run = runs[runs.length - 1];
      if (run && speakerOf(run[0]) === speakerOf(activity)) run.push(activity);
      else runs.push([activity]);
    }
    return runs;
  });
}

/**
 * Web Chat draws one avatar per sender group, from its first line; grouped by role only, an
 * agent's lines would sit under the bot's avatar (or the other way round).
 */
const groupActivitiesMiddleware = () => (next) => (options) => {
  const groups = next(options);
  return { ...groups, sender: splitBySpeaker(groups.sender) };
};

const avatarMiddleware = () => (next) => (options) => {
  const agent = agentOf(options.activity);
  if (!agent) return next(options);
  const size = options.styleOptions.avatarSize;
  return () => h('div', { className: 'agent-avatar', 'aria-hidden': 'true', style: { width: size, height: size } }, initialsOf(agent));
};

/** The Web Chat options that mark an agent's lines; `texts` are the widget's from dialogs/pages.yaml. */
export function agentLineOptions(texts) {
  const activityMiddleware = () => (next) => (...args) => {
    const render = next(...args);
    const agent = agentOf(args[0] && args[0].activity);
    if (!render || !agent) return render;
    // The name goes where her avatar does: at the start of each run of her lines.
    return (renderAttachment, props) =>
      h(
        'div',
        { className: 'agent-line' },
        props && props.showCallout ? h('p', { className: 'agent-name', key: 'name' }, fill(texts.agentName, { agent })) : null,
        h('div', { key: 'line' }, render(renderAttachment, props)),
      );
  };
  return { activityMiddleware, avatarMiddleware, groupActivitiesMiddleware };
}
