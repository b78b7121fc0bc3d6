package metrics

import (
	"strings"

	"github.com/kobanhq/koban"
)

// intentCues are general signs of what kind of page a question wants, by
// Diátaxis quadrant, in English and Japanese, checked in this order: a
// question that asks to be walked through from the start wants a tutorial;
// one that asks why or how something works, an explanation; one that asks
// for a value, a limit or the list of options, reference; one that asks how
// to get something done, a how-to guide.
var intentCues = []struct {
	quadrant koban.Quadrant
	cues     []string
}{
	{koban.Tutorial, []string{
		"getting started", "get started", "first time", "new to ", "beginner", "walkthrough", "walk me through",
		"tutorial", "from scratch", "onboarding", "step by step", "step-by-step",
		"はじめて", "初めて", "入門", "チュートリアル", "始め方", "初心者",
	}},
	{koban.Explanation, []string{
		"why ", "why?", "difference between", "what's the difference", "what is the difference", "should i ", "should we ",
		"how does ", "how do they work", "how it works", "what happens when", "reason", "architecture", "concept", "trade-off", "tradeoff",
		"なぜ", "どうして", "違い", "仕組み", "理由", "べきか", "とは",
	}},
	{koban.Reference, []string{
		"limit", "quota", "maximum", "minimum", "default value", "what is the default", "which version", "what version",
		"list of", "which ports", "what port", "parameter", "syntax", "format of", "allowed values", "naming convention", "spec for",
		"上限", "一覧", "デフォルト値", "パラメータ", "仕様", "形式", "制限", "最大", "バージョン",
	}},
	{koban.HowTo, []string{
		"how do i", "how can i", "how to", "how should i", "how would i", "what are the steps", "steps to", "is there a way to",
		"set up", "configure", "enable", "install", "i need to", "i want to", "i'd like to", "can i ", "help me",
		"方法", "どうすれば", "どうやって", "手順", "したい", "するには", "できますか",
	}},
}

// intentQuadrant is the Diátaxis quadrant a question's wording asks for,
// or koban.Unknown when nothing in it says: the quadrant of a docs gap when
// the inquiry cited no page.
func intentQuadrant(text string) koban.Quadrant {
	t := " " + strings.ToLower(strings.Join(strings.Fields(text), " ")) + " "
	for _, ic := range intentCues {
		for _, c := range ic.cues {
			if strings.Contains(t, c) {
				return ic.quadrant
			}
		}
	}
	return koban.Unknown
}
