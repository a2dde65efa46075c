// The scripted citizens of `npm run bench` and `npm run bench:turns`: each conversation walks one script of six turns.
export const SCRIPTS: string[][] = [
  // The whole guide, answering yes all the way (today Q2 → Q3 → O2 → T2 → Q4 → O5 → TIP, then a "ja" with nothing asked), then a question.
  ['Hjælp mig med at få MitID', 'ja', 'ja', 'ja', 'ja', 'kan jeg beholde nemid'],
  // FAQ first, then the guide with "nej" answers (no passport → Borgerservice → …).
  ['kan jeg beholde nemid', 'hvad er en kodeviser', 'Hjælp mig med at få MitID', 'ja', 'nej', 'ja'],
  // A fallback, a FAQ, then the guide with free-text answers.
  ['hvad bliver vejret', 'jeg har ikke en dansk bank', 'Hjælp mig med at få MitID', 'ja tak', 'jep', 'nej desværre'],
  // Guide with a question in the middle, help, and the chart's side box.
  ['Hjælp mig med at få MitID', 'ja', 'skal jeg identitetssikres', 'ja', 'hjælp', 'jeg vil ikke have MitID'],
  // Small talk, questions, restart and a person.
  ['hej', 'hvordan får jeg mitid', 'hvad bliver vejret i morgen', 'start forfra', 'tal med en medarbejder', 'stop'],
  // Button numbers and "ved ikke".
  ['Hjælp mig med at få MitID', 'ved ikke', '1', '2', 'det ved jeg ikke', 'hvad koster mitid'],
];
