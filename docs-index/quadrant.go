package docsindex

import (
	"regexp"
	"strings"

	"github.com/kobanhq/koban"
)

// Quadrant returns the Diátaxis quadrant the index gave the page at path
// when it loaded it (from its front matter, its path or its content), or,
// for a page the index does not hold (one removed since it was cited), the
// quadrant its path alone says. The monthly report sorts docs gaps and
// cited pages by it, so that the report and the answers agree. It is safe
// for concurrent use.
func (ix *Index) Quadrant(path string) koban.Quadrant {
	secs, err := ix.Page(path)
	if err != nil || len(secs) == 0 {
		return QuadrantOfPath(path)
	}
	return secs[0].Quadrant
}

// QuadrantOfPath is the quadrant a page's path says, by the folder names
// the index reads ("how-to", "tasks", "concepts", …): what the index gives
// a page whose front matter and content say nothing.
func QuadrantOfPath(path string) koban.Quadrant { return quadrantOf(nil, path, "", "") }

// howToTitle finds a title that names a task: "How to …", a verb of doing
// in its imperative or -ing form ("Provision a project", "Rotating
// credentials"), or a verb that is also a noun followed by what it acts on
// ("Access the cluster", not "Access control").
var howToTitle = regexp.MustCompile(`(?i)^(?:how to|how-to|(?:` + strings.Join(taskVerbs, "|") + `)` + verbEnding + `|(?:` + strings.Join(nounVerbs, "|") + `)` + verbEnding + ` (?:a|an|the|your|my|our|their|this|that|these|it|them|to|from|into|with|up|down|out|off|on|for|new|more|multiple)\b)\b`)

// verbEnding is what follows a verb's stem in a title: nothing, -s, -es or
// -ing (with the final consonant doubled or the final e dropped).
const verbEnding = `(?:e|es|s|ing|[bdgmnprt]ing)?`

// taskVerbs open the titles of how-to guides and are seldom nouns there,
// written as stems so that verbEnding gives their forms.
var taskVerbs = []string{
	"add", "allow", "apply", "assign", "attach", "authenticat", "back up", "clean up",
	"configur", "connect", "creat", "customi[sz]", "debug", "delet", "deploy", "disabl",
	"enabl", "expos", "generat", "grant", "increas", "install", "integrat", "log in",
	"manag", "migrat", "monitor", "mount", "provision", "publish", "reduc", "register",
	"remov", "renew", "renam", "reset", "resiz", "restor", "restrict", "revok", "roll back",
	"rotat", "scal", "schedul", "secur", "set up", "sign in", "specif(?:y|ies|ying)",
	"troubleshoot", "turn on", "turn off", "updat", "upgrad", "upload", "use", "using", "verif(?:y|ies|ying)",
}

// nounVerbs open how-to titles too, but are as often nouns ("Access
// control", "Build status"), so they count only before what they act on.
var nounVerbs = []string{
	"access", "build", "chang", "check", "copy", "export", "find", "get", "import",
	"limit", "list", "mov", "pull", "push", "request", "run", "send", "set", "shar",
	"start", "stop", "switch", "sync", "test", "view", "writ",
}

// quadrantOf decides the page's Diátaxis quadrant: front matter first, then
// the path, then cues in the content.
func quadrantOf(fm map[string]any, rel, title, body string) koban.Quadrant {
	for _, k := range []string{"diataxis", "type", "content_type"} {
		if s := str(fm[k]); s != "" {
			if q, err := koban.ParseQuadrant(s); err == nil && q != koban.Unknown {
				return q
			}
			switch strings.ToLower(s) {
			case "api_reference", "tool-reference", "feature_gate", "glossary":
				return koban.Reference
			}
		}
	}
	for _, seg := range strings.Split(strings.ToLower(rel), "/") {
		switch seg {
		case "tutorials", "tutorial", "getting-started":
			return koban.Tutorial
		case "how-to", "howto", "how-tos", "tasks", "guides", "setup":
			return koban.HowTo
		case "reference", "references", "api":
			return koban.Reference
		case "explanation", "explanations", "concepts", "concept":
			return koban.Explanation
		}
	}
	lower := strings.ToLower(body)
	switch {
	case howToTitle.MatchString(title), strings.Contains(lower, "## before you begin"), strings.Contains(lower, "## prerequisites"), strings.Contains(lower, "## steps"):
		return koban.HowTo
	case strings.Contains(lower, "in this tutorial"), strings.Contains(lower, "## objectives"):
		return koban.Tutorial
	}
	return koban.Unknown
}
