// botbuilder-dialogs' index loads every prompt, and with them Microsoft's number, date and
// choice recognizers for many languages: about 0.4 s of start-up for code this bot never runs
// (src/dialogs/answer-prompt.ts says why even the Prompt base class is left out).
// The classes it does use come from their own files here; types may still come from the index.
export { ComponentDialog } from 'botbuilder-dialogs/lib/componentDialog';
export { Dialog, DialogTurnStatus } from 'botbuilder-dialogs/lib/dialog';
export { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
export { WaterfallDialog } from 'botbuilder-dialogs/lib/waterfallDialog';
