import {
  ActivityHandler,
  type ConversationState,
  type StatePropertyAccessor,
  type TurnContext,
  type UserState,
} from 'botbuilder';
import { DialogSet, type DialogState, type DialogContext } from 'botbuilder-dialogs';
import type { Clock } from '../clock';
import type { Content } from '../content/load-content';
import type { CommandId } from '../content/phrases';
import { GuideDialog, GUIDE_DIALOG_ID } from '../dialogs/guide-dialog';
import { PhraseMatcher } from '../text/phrase-matcher';
import { Replies } from './replies';

/** What the bot needs from outside; tests pass a fixed clock and MemoryStorage-backed state. */
export interface MitIdBotDeps {
  content: Content;
  conversationState: ConversationState;
  userState: UserState;
  clock: Clock;
  /** Longer messages get a polite "too long" instead of being read. */
  maxMessageChars: number;
}

interface ConversationFlags {
  welcomed?: boolean;
}

// Commands of one or two words only count as the whole message, so a sentence that
// happens to contain "stop" is not taken as a wish to stop.
const SHORT_COMMAND_WORDS = 2;

/**
 * MitID-hjælperen: welcomes people, runs the guide and answers the commands that work
 * at any point (start forfra, stop, hjælp, "jeg vil ikke have MitID", a person).
 */
export class MitIdBot extends ActivityHandler {
  readonly replies: Replies;
  private readonly dialogs: DialogSet;
  private readonly guide: GuideDialog;
  private readonly commands: PhraseMatcher<CommandId>;
  private readonly flags: StatePropertyAccessor<ConversationFlags>;

  constructor(private readonly deps: MitIdBotDeps) {
    super();
    this.replies = new Replies(deps.content, deps.clock);
    const dialogState: StatePropertyAccessor<DialogState> = deps.conversationState.createProperty('dialogState');
    this.flags = deps.conversationState.createProperty('flags');
    this.guide = new GuideDialog(deps.content, this.replies, deps.clock);
    this.dialogs = new DialogSet(dialogState).add(this.guide);
    this.commands = new PhraseMatcher(deps.content.phrases.commands, {
      shortPhraseWords: SHORT_COMMAND_WORDS,
      fillers: deps.content.phrases.fillers,
    });

    this.onMembersAdded(async (context, next) => {
      const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient?.id);
      const flags = await this.flags.get(context, {});
      if (joined && !flags.welcomed) {
        flags.welcomed = true;
        await context.sendActivity(this.replies.message('welcome'));
      }
      await next();
    });

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
  }

  /** Runs the turn, then saves state once, also when nothing changed on the way. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.deps.conversationState.saveChanges(context, false);
    await this.deps.userState.saveChanges(context, false);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const dc = await this.dialogs.createContext(context);

    if (dc.activeDialog?.id === GUIDE_DIALOG_ID && !this.guide.isCurrent(dc.activeDialog)) {
      await dc.cancelAllDialogs();
      await context.sendActivity(this.replies.message('guideUpdated'));
      await dc.beginDialog(GUIDE_DIALOG_ID);
      return;
    }

    const text = (context.activity.text ?? '').trim();
    if (text.length === 0) {
      const onlyAttachments = (context.activity.attachments?.length ?? 0) > 0;
      await context.sendActivity(this.replies.message(onlyAttachments ? 'attachmentsOnly' : 'emptyMessage'));
      return this.repromptIfActive(dc);
    }
    if (text.length > this.deps.maxMessageChars) {
      await context.sendActivity(this.replies.message('tooLong', { max: this.deps.maxMessageChars }));
      return this.repromptIfActive(dc);
    }

    const command = this.commands.match(text)?.key;
    if (command) return this.runCommand(command, dc);

    if (dc.activeDialog) {
      await dc.continueDialog();
      return;
    }
    await context.sendActivity(this.replies.message('fallback'));
  }

  private async runCommand(command: CommandId, dc: DialogContext): Promise<void> {
    const say = (activity: Parameters<TurnContext['sendActivity']>[0]) => dc.context.sendActivity(activity);
    switch (command) {
      case 'start_guide':
        if (dc.activeDialog) return this.repromptIfActive(dc);
        await say(this.replies.message('guideStart'));
        await dc.beginDialog(GUIDE_DIALOG_ID);
        return;
      case 'restart':
        await dc.cancelAllDialogs();
        await say(this.replies.message('restarted'));
        await dc.beginDialog(GUIDE_DIALOG_ID);
        return;
      case 'stop':
        await dc.cancelAllDialogs();
        await say(this.replies.message('stopped'));
        return;
      case 'help':
        await say(this.replies.message('help'));
        return this.repromptIfActive(dc);
      case 'opt_out':
        await say(this.replies.message('optOut'));
        return this.repromptIfActive(dc);
      case 'human':
        await say(this.replies.message('human'));
        return this.repromptIfActive(dc);
    }
  }

  private async repromptIfActive(dc: DialogContext): Promise<void> {
    if (dc.activeDialog) await dc.repromptDialog();
  }
}
