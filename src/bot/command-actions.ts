import type { CommandId } from '../content/phrases';
import { danishToday } from '../clock';
import type { ActionParts } from './turn-actions';
import type { Turn } from './turn';

/** The commands ("stop", "fortsæt", "tilbage", "gentag", "hjælp", …), whatever the turn was waiting for. */
export class CommandActions {
  constructor(private readonly parts: ActionParts) {}

  async command(turn: Turn, command: CommandId): Promise<void> {
    const { steps, actions: a, deps } = this.parts;
    const inGuide = steps.active(turn);
    switch (command) {
      case 'start_guide':
        if (inGuide) return steps.reprompt(turn);
        await a.say(turn, 'guideStart');
        return steps.begin(turn);
      case 'restart':
        await a.say(turn, 'restarted');
        return steps.begin(turn);
      case 'stop':
        if (!inGuide) return a.say(turn, 'whatHelp');
        await steps.stop(turn);
        return turn.ask(deps.replies.message('stopped'), { kind: 'stopped', yes: 0 });
      case 'resume': {
        if (inGuide) return steps.reprompt(turn);
        const left = turn.memory.guideLeft;
        if (left?.at === undefined) return turn.ask(deps.replies.message('nothingToResume'), { kind: 'offer', yes: 0 });
        await a.say(turn, 'resumed');
        return steps.begin(turn, { at: left.at, path: left.path });
      }
      case 'back': {
        const plan = this.parts.reading.backPlan(turn);
        if (!plan) return a.say(turn, 'whatHelp');
        return a.repair(turn, plan);
      }
      case 'repeat':
        return this.repeat(turn);
      case 'help':
        await a.say(turn, 'help');
        return steps.reprompt(turn);
      case 'ask':
        await a.say(turn, 'ask');
        return steps.reprompt(turn);
      case 'opt_out':
        await a.say(turn, 'optOut');
        return steps.reprompt(turn);
      case 'human':
        return a.offerPerson(turn, 'asked');
      case 'none_of_these':
        await a.say(turn, 'fallback');
        return steps.reprompt(turn);
    }
  }

  /** "Kan du gentage det?": the last turn's messages again, and the same offer still open. */
  private async repeat(turn: Turn): Promise<void> {
    const { deps, texts } = this.parts;
    const said = turn.memory.lastSaid ?? [];
    if (said.length === 0) return this.parts.actions.say(turn, 'nothingToRepeat');
    const today = danishToday(deps.clock);
    for (const reply of said) {
      const text = (reply.name ? texts.textOf(reply.name, today) : undefined) ?? reply.text ?? '';
      await turn.context.sendActivity(reply.buttons ? deps.replies.withButtons(text, reply.buttons) : deps.replies.plain(text));
    }
    if (turn.previousOffer) turn.asked = turn.previousOffer;
  }
}
