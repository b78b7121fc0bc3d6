// Package textproc holds the text handling that koban's packages share, so
// that they agree on it:
//
//   - which language a text is written in (Lang);
//   - where fenced code begins and ends in Markdown, and rewriting a text
//     around the parts that must stay as they are (FenceOpen, FenceCloses,
//     ReplaceOutside);
//   - words: one tokenizer (Words, Tokenizer) that splits text on
//     everything but letters and digits and keeps each run of Japanese,
//     Chinese or Korean script whole, since those write no spaces; Bigrams
//     and JapaneseWords (kagome's morphological analysis, with the
//     dictionary the docs index loads, Kagome) split such a run further;
//   - one English stemmer (Stemming) in three modes: Snowball, the Porter2
//     stemmer the docs index applies, so that words compare as the index
//     compares them; Inflections, which cuts inflectional endings only and
//     leaves a prefix of the word, for substring tests and page ranking
//     (where Snowball measured worse, see Inflections); Plurals, for words
//     people read (the monthly report's topics), where a stem such as
//     "databas" would look like a typo;
//   - one stop list of English words and Japanese particles, endings and
//     words of asking that say how something is asked, not what about
//     (IsStop).
//
// Who uses which: knowledge ranks pages and picks sections by Inflections
// stems, and splits a question's runs with Japanese in them (kept whole
// with Tokenizer.Mixed) into JapaneseWords and sections' into Bigrams; triage's similarity, key terms and docs vocabulary use Words,
// the stop list and Snowball (vocabulary, request titles) or Inflections
// (key terms looked for in passages); desk's past questions and the
// report's topics use Words or Tokenizer with Plurals.
package textproc
