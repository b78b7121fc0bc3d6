package redact

import (
	_ "embed"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/BurntSushi/toml"
)

// gitleaksTOML is gitleaks' default rule set (config/gitleaks.toml of
// gitleaks v8.30.1), unchanged.
//
//go:embed gitleaks.toml
var gitleaksTOML string

// gitleaksFile is the part of gitleaks' configuration format this package
// uses. Commits and paths in allowlists are read so that AND conditions that
// need them are never met: chat text has neither.
type gitleaksFile struct {
	Allowlist  *gitleaksAllowlist  `toml:"allowlist"`
	Allowlists []gitleaksAllowlist `toml:"allowlists"`
	Rules      []struct {
		ID          string              `toml:"id"`
		Regex       string              `toml:"regex"`
		Path        string              `toml:"path"`
		SecretGroup int                 `toml:"secretGroup"`
		Entropy     float64             `toml:"entropy"`
		Keywords    []string            `toml:"keywords"`
		Allowlist   *gitleaksAllowlist  `toml:"allowlist"`
		Allowlists  []gitleaksAllowlist `toml:"allowlists"`
		Required    []struct{}          `toml:"required"`
		SkipReport  bool                `toml:"skipReport"`
	} `toml:"rules"`
}

type gitleaksAllowlist struct {
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	Paths       []string `toml:"paths"`
	Commits     []string `toml:"commits"`
	TargetRules []string `toml:"targetRules"`
}

// allowlist is a gitleaks allowlist: a finding it matches is not a secret.
type allowlist struct {
	and       bool   // all conditions must hold, rather than any
	target    string // "secret", "match" or "line"
	regexes   []*regexp.Regexp
	stopWords []string // lower case
	// unmatchable is set for AND allowlists that also need a commit or a path.
	unmatchable bool
}

// finding is what an allowlist is checked against.
type finding struct{ secret, match, line string }

// allowed reports whether any of the allowlists lets f through.
func allowed(lists []allowlist, f finding) bool {
	for i := range lists {
		a := &lists[i]
		target := f.secret
		switch a.target {
		case "match":
			target = f.match
		case "line":
			target = f.line
		}
		regexOK := false
		for _, re := range a.regexes {
			if re.MatchString(target) {
				regexOK = true
				break
			}
		}
		stopOK := false
		if len(a.stopWords) > 0 {
			s := strings.ToLower(f.secret)
			for _, w := range a.stopWords {
				if strings.Contains(s, w) {
					stopOK = true
					break
				}
			}
		}
		if a.and {
			if a.unmatchable || len(a.regexes) > 0 && !regexOK || len(a.stopWords) > 0 && !stopOK {
				continue
			}
			if len(a.regexes) > 0 || len(a.stopWords) > 0 {
				return true
			}
			continue
		}
		if regexOK || stopOK {
			return true
		}
	}
	return false
}

// replaced are gitleaks rules that koban's own rules do instead.
//
// generic-api-key finds values assigned to keys that mention a key, token,
// secret or password; koban's secret-assignment does the same for chat text.
// gitleaks' rule runs on every line that says "key", "token" or "auth" and
// alone costs about 25 ms of CPU for a 50 kB question, ten times the rest of
// the rule set, and its entropy threshold of 3.5 lets ordinary passwords
// through.
var replaced = map[string]bool{"generic-api-key": true}

// gitleaksRules compiles the vendored gitleaks rule set. It returns the rules
// that apply to text without a file path, and the global allowlists.
func gitleaksRules() ([]*rule, []allowlist, error) {
	var f gitleaksFile
	if _, err := toml.Decode(gitleaksTOML, &f); err != nil {
		return nil, nil, fmt.Errorf("decode: %w", err)
	}
	var global []allowlist
	targeted := map[string][]allowlist{}
	if f.Allowlist != nil {
		f.Allowlists = append(f.Allowlists, *f.Allowlist)
	}
	for _, ga := range f.Allowlists {
		a, err := compileAllowlist(ga)
		if err != nil {
			return nil, nil, fmt.Errorf("global allowlist: %w", err)
		}
		if len(ga.TargetRules) == 0 {
			global = append(global, a)
			continue
		}
		for _, id := range ga.TargetRules {
			targeted[id] = append(targeted[id], a)
		}
	}

	var rules []*rule
	for _, gr := range f.Rules {
		// Path rules only apply to files of a kind (.php, .tf, .p12), rules
		// without a regex only look at paths, and composite or unreported
		// rules only make sense inside gitleaks' own detector.
		if gr.Path != "" || gr.Regex == "" || len(gr.Required) > 0 || gr.SkipReport {
			continue
		}
		if replaced[gr.ID] {
			continue
		}
		re, err := regexp.Compile(gr.Regex)
		if err != nil {
			return nil, nil, fmt.Errorf("rule %s: %w", gr.ID, err)
		}
		ru := &rule{
			id:          gr.ID,
			re:          re,
			secretGroup: gr.SecretGroup,
			entropy:     gr.Entropy,
			gitleaks:    true,
			generic:     strings.HasPrefix(gr.ID, "generic-"),
			multiline:   strings.Contains(gr.Regex, `\s\S`) || strings.Contains(gr.Regex, "(?s"),
			allow:       targeted[gr.ID],
			repeated:    repeatedGroups(gr.Regex),
		}
		for _, kw := range gr.Keywords {
			ru.keywords = append(ru.keywords, strings.ToLower(kw))
		}
		if gr.Allowlist != nil {
			gr.Allowlists = append(gr.Allowlists, *gr.Allowlist)
		}
		for _, ga := range gr.Allowlists {
			a, err := compileAllowlist(ga)
			if err != nil {
				return nil, nil, fmt.Errorf("rule %s allowlist: %w", gr.ID, err)
			}
			ru.allow = append(ru.allow, a)
		}
		rules = append(rules, ru)
	}
	return rules, global, nil
}

func compileAllowlist(ga gitleaksAllowlist) (allowlist, error) {
	a := allowlist{target: "secret"}
	switch strings.ToUpper(ga.Condition) {
	case "AND", "&&":
		a.and = true
		a.unmatchable = len(ga.Paths) > 0 || len(ga.Commits) > 0
	case "", "OR", "||":
	default:
		return a, fmt.Errorf("unknown condition %q", ga.Condition)
	}
	switch ga.RegexTarget {
	case "", "secret":
	case "match", "line":
		a.target = ga.RegexTarget
	default:
		return a, fmt.Errorf("unknown regexTarget %q", ga.RegexTarget)
	}
	for _, s := range ga.Regexes {
		re, err := regexp.Compile(s)
		if err != nil {
			return a, err
		}
		a.regexes = append(a.regexes, re)
	}
	for _, w := range ga.StopWords {
		a.stopWords = append(a.stopWords, strings.ToLower(w))
	}
	return a, nil
}

// repeatedGroups returns, by capture group number, whether the group is inside
// a repetition (*, + or {n,m} with m > 1). gitleaks takes the first non-empty
// group as the secret of a rule without secretGroup; in
// https://x.webhook.office.com/webhookb2/[a-z0-9]{8}-([a-z0-9]{4}-){3}... that
// is the last four characters of a UUID, so koban skips such groups and masks
// the whole match when no other group is left.
func repeatedGroups(pattern string) []bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	out := make([]bool, re.MaxCap()+1)
	var walk func(re *syntax.Regexp, inRepeat bool)
	walk = func(re *syntax.Regexp, inRepeat bool) {
		switch re.Op {
		case syntax.OpStar, syntax.OpPlus:
			inRepeat = true
		case syntax.OpRepeat:
			inRepeat = inRepeat || re.Max != 1
		case syntax.OpCapture:
			if inRepeat {
				out[re.Cap] = true
			}
		}
		for _, sub := range re.Sub {
			walk(sub, inRepeat)
		}
	}
	walk(re, false)
	return out
}
