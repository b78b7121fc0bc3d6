// Package textproc holds the text handling that koban's packages share, so
// that they agree on it:
//
//   - which language a text is written in (Lang);
//   - where fenced code begins and ends in Markdown, and rewriting a text
//     around the parts that must stay as they are (FenceOpen, FenceCloses,
//     ReplaceOutside);
//   - words: one tokenizer (Words, Scan) that splits Latin-script text on
//     everything but letters and digits and keeps each run of Japanese,
//     Chinese or Korean script whole, since those write no spaces; Bigrams
//     and JapaneseWords (kagome's morphological analysis, the dictionary the
//     docs index loads) split such a run further;
//   - one English stemmer, the Snowball (Porter2) stemmer that the docs index
//     applies too, so that a question's words and the index's agree (Stem).
//     Root is its stem cut back to a prefix of the word, for callers that
//     look for a word inside a text ("policies" finds "policy"); Singular
//     folds plurals alone, for words that are shown to people (the monthly
//     report's topics), where a stem such as "databas" would read as a typo;
//   - one stop list of English words and Japanese particles, endings and
//     words of asking that say how something is asked, not what about
//     (IsStop).
package textproc
