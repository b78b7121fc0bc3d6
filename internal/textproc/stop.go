package textproc

import "strings"

// stop is the stop list: words that say how is asked, not what
// about. English: function words, the words of asking, greeting and
// thanking, filler, and the pieces a contraction leaves ("doesn", "ll").
// Japanese: the verbs of asking, being and being able, question words and
// forms, as kagome splits ("する", "方法"), and the kana pairs of
// endings and particles that character bigrams of a sentence give ("ます",
// "には").
var stop = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		a about after again all also always an and another any anything are as at
		be because been before being but by can could did do does doing done each even every
		for from get getting got had has have having hello help here hi how i if in into is
		it its just know like make many may me more most much must my need needs no not of on
		one only onto or other our out over per please should so some such than thank thanks
		that the their then there these they think this those through to too tried try trying
		under until us use used using very want wants was way we were what when where which
		while who whom why will with within without would you your yours
		able issue issues problem problems error errors question questions
		aren couldn didn doesn don isn ll re shouldn ve wasn won wouldn
		する できる でき ある いる なる 見る 見 られる れる 何 なに どこ どう どの どれ いつ 誰 こと もの よう
		ため 方法 場合 時 とき 教え 教える ください 下さい 分かる わかる 知る 知り たい 思う
		です きま ます すか せん ませ して した なり 何で 何が 何を には では とは ので から まで けど さい だ`) {
		stop[w] = true
		// A stemmed word is looked up too: "does" is "doe", "getting"
		// "gett".
		for _, s := range []Stemming{Snowball, Inflections} {
			stop[s.Stem(w)] = true
		}
	}
}

// IsStop reports whether w, lower case, is on the stop list, or is the
// stem (Snowball or Inflections) of an English word that is.
func IsStop(w string) bool { return stop[w] }
