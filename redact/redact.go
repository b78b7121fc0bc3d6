// Package redact masks secrets in text before koban stores, logs or sends it
// anywhere (the database, the log, an LLM, Slack, the web UI). The store, the
// Slack bot and the knowledge service call it; what to do with the masked text,
// and whether to tell the asker that something was masked, is theirs to decide.
//
// A secret is replaced by a mask that names the rule that found it, such as
// [REDACTED:github-pat], so that the on-call knows what kind of credential was
// pasted (and that it must be rotated) without seeing any part of it.
//
// # Rule set
//
// The vendor-specific rules are the default rule set of gitleaks
// (github.com/zricethezav/gitleaks, MIT licensed, see LICENSE.gitleaks),
// vendored unchanged as gitleaks.toml from v8.30.1: 222 maintained rules for
// cloud, SaaS and CI tokens (AWS, GCP, GitHub, GitLab, Slack, Stripe, SendGrid,
// Twilio, npm, PyPI, Vault...), written for Go's RE2 engine, with keywords,
// entropy thresholds and allowlists that keep false positives down. To update
// it, copy config/gitleaks.toml from a newer gitleaks release and run the
// tests.
//
// The gitleaks Go module is not imported, for three reasons measured here:
//   - its config package does not build in this module: it imports
//     golang.org/x/exp, which goose v3.29.0 raises to a version the module
//     proxy refuses;
//   - it would add viper, zerolog and their dependencies: +4.4 MB of binary
//     for the config package alone and +10.5 MB with its detector, against
//     +1.2 MB for this package with the rules embedded;
//   - its detector is built for files and commits: it takes about 28 ms on a
//     50,000-character question.
//
// So this package reads the TOML itself and applies the rules with gitleaks'
// semantics (keywords, secret group, entropy, rule and global allowlists with
// stop words), but only on the lines that contain a rule's keyword, which keeps
// Go's regular expressions on short inputs where they are fast. Rules
// restricted to file paths (.php, .tf, nuget.config...) are skipped: chat text
// has no path. gitleaks' generic-api-key rule is replaced by koban's
// secret-assignment: it alone costs ten times the rest of the rule set (about
// 25 ms of CPU for a 50 kB question), and its entropy threshold lets ordinary
// passwords through.
//
// On top of gitleaks, koban adds rules for what platform questions contain and
// a scanner made for source code misses:
//   - passwords in URLs and DSNs: postgres://user:pass@host,
//     redis://:pass@host, user:pass@tcp(host), curl -u user:pass, ~/.netrc;
//   - passwords of four characters or more assigned to password-like keys in
//     YAML, env files, JSON, CLI flags and prose ("my password for staging:
//     …", "パスワードは…です"), and tokens and keys assigned to secret-like keys
//     when their values look generated (letters and digits);
//   - Authorization headers (Bearer and Basic), kubeconfig client-key-data
//     and base64-encoded private keys (a TLS Secret's tls.key, but not its
//     tls.crt), private-key blocks cut off before their END line;
//   - AWS secret access keys, Azure AccountKey= connection strings and SAS
//     signatures, Google OAuth client secrets, Slack refresh and
//     configuration tokens, Docker Hub tokens, and passwords given to
//     mysql -p, docker login -p and --token flags;
//   - Stripe webhook secrets, New Relic license keys, Discord webhooks, PuTTY
//     private keys, Vault unseal keys, a Twilio token after its account SID,
//     passwords given to redis-cli -a, ldapsearch -w, rabbitmqctl add_user
//     and htpasswd -b, multi-line ~/.netrc entries, any Authorization scheme
//     (SSWS, Bot...), and prose such as "the admin password is …".
//
// A gitleaks rule without a secret group masks its first non-empty group,
// unless that group is inside a repetition (([a-z0-9]{4}-){3} holds only its
// last four characters): then the whole match is masked.
//
// Values that refer to a secret rather than hold one are left alone:
// ${DB_PASSWORD}, {{ .Values.token }}, ${{ secrets.NPM_TOKEN }},
// secretKeyRef, existingSecret, <your-password>, ********, DUMMY_PASSWORD,
// file paths, calls and fields in code, and values encrypted or resolved
// elsewhere: @Microsoft.KeyVault(...), SOPS ENC[AES256_GCM,...], a
// SealedSecret's encryptedData, !vault and !Ref. When a koban rule and a gitleaks rule
// find the same secret, the mask names the more specific one (github-pat
// rather than url-password).
//
// A 50,000-byte question takes about 2.5 ms of CPU, a 5,000-byte one about
// 0.2 ms (BenchmarkRedact).
//
// Text is expected as the user wrote it: the Slack adapter decodes Slack's
// &amp;, &lt; and &gt; escapes before redacting.
package redact

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// maxSegment is the longest piece of a line a single-line rule is run on.
// Longer lines (minified JSON, long log lines) are cut into overlapping
// segments so that a match is never run against the whole text.
const (
	maxSegment     = 4096
	segmentOverlap = 1024
	// multilineWindow is how far after its keyword a multi-line rule (a PEM
	// block) may match.
	multilineWindow = 64 << 10
	// anchoredProbe is the window an anchored rule is first tried on.
	anchoredProbe = 256
)

// Redactor masks secrets in text. Build it once with New; it is safe for
// concurrent use.
type Redactor struct {
	rules     []*rule
	keywords  []string // distinct lower-case keywords
	byKeyword [][]int  // keyword index → rule indices
	// Keywords by their first two bytes, to find them all in one pass.
	pairs   [1 << 16 / 64]uint64 // bit set of first-two-byte pairs
	byPairs map[uint16][]int     // pair → keyword indices
	global  []allowlist
}

// rule is one way of finding a secret.
type rule struct {
	id          string
	re          *regexp.Regexp
	secretGroup int // capture group that is the secret; 0: the first non-empty group, or the match
	// repeated marks the capture groups inside a repetition, such as
	// ([a-z0-9]{4}-){3}: such a group holds only its last repetition, a
	// fragment, so it is never taken as the secret.
	repeated  []bool
	entropy   float64 // minimum Shannon entropy of the secret; 0: no minimum
	keywords  []string
	allow     []allowlist
	multiline bool
	// anchored rules match where their keyword starts (their pattern begins
	// with ^), so each keyword is one short attempt instead of a search of
	// the line from every position.
	anchored bool
	gitleaks bool // from the vendored gitleaks rule set: the global allowlist applies
	generic  bool // a catch-all rule: on a tie, a specific rule names the mask
	order    int  // position in the rule set, to break ties
	// accept, if set, says how many bytes of a secret found by re to mask,
	// 0 if it is not a secret: koban's rules use it to leave references and
	// placeholders alone. The candidate's key is capture group keyGroup.
	keyGroup int
	accept   func(c candidate) int
	// find, if set, replaces re: it returns the spans to mask, searching from
	// the keyword at pos.
	find func(text string, pos int) [][2]int
	// pre, if set, is a cheap test an anchored rule's keyword at pos must
	// pass before re is tried.
	pre func(text string, pos int) bool
}

// span is a part of the text to mask.
type span struct {
	start, end int
	rule       *rule
}

// New compiles the rule set. It fails only if a rule does not compile, which
// is a bug in this package.
func New() (*Redactor, error) {
	gl, global, err := gitleaksRules()
	if err != nil {
		return nil, fmt.Errorf("gitleaks rules: %w", err)
	}
	own, err := kobanRules()
	if err != nil {
		return nil, fmt.Errorf("koban rules: %w", err)
	}
	return build(append(gl, own...), global)
}

// build indexes rules by keyword.
func build(rules []*rule, global []allowlist) (*Redactor, error) {
	r := &Redactor{rules: rules, global: global, byPairs: map[uint16][]int{}}
	index := map[string]int{}
	for i, ru := range r.rules {
		ru.order = i
		if len(ru.keywords) == 0 {
			return nil, fmt.Errorf("rule %s has no keywords", ru.id)
		}
		for _, kw := range ru.keywords {
			if len(kw) < 2 {
				return nil, fmt.Errorf("rule %s: keyword %q is shorter than 2 bytes", ru.id, kw)
			}
			k, ok := index[kw]
			if !ok {
				pair := uint16(kw[0])<<8 | uint16(kw[1])
				r.pairs[pair/64] |= 1 << (pair % 64)
				r.byPairs[pair] = append(r.byPairs[pair], len(r.keywords))
				k = len(r.keywords)
				index[kw] = k
				r.keywords = append(r.keywords, kw)
				r.byKeyword = append(r.byKeyword, nil)
			}
			if !slices.Contains(r.byKeyword[k], i) {
				r.byKeyword[k] = append(r.byKeyword[k], i)
			}
		}
	}
	return r, nil
}

// Rules returns the IDs of the rules, in the order they are applied: gitleaks'
// first, then koban's. IDs are what masks show.
func (r *Redactor) Rules() []string {
	ids := make([]string, 0, len(r.rules))
	for _, ru := range r.rules {
		if !slices.Contains(ids, ru.id) {
			ids = append(ids, ru.id)
		}
	}
	return ids
}

// Redact returns text with every secret replaced by [REDACTED:rule-id], and
// the number of secrets masked. Overlapping findings (a GitHub token inside a
// clone URL) count as one. Redacting masked text again changes nothing.
func (r *Redactor) Redact(text string) (masked string, n int) {
	if len(text) < 4 {
		return text, 0
	}
	lower := asciiLower(text)
	segs := segments(text)

	// Which segments each rule must look at, found by its keywords.
	cand := make([][]int, len(r.rules))
	var atKeyword [][2]int // (rule, keyword position) for rules with find or anchored
	s := 0                 // the segment of p
	for p := 0; p+1 < len(lower); p++ {
		pair := uint16(lower[p])<<8 | uint16(lower[p+1])
		if r.pairs[pair/64]&(1<<(pair%64)) == 0 {
			continue
		}
		for s < len(segs)-1 && segs[s].end <= p {
			s++
		}
		for _, k := range r.byPairs[pair] {
			kw := r.keywords[k]
			if !strings.HasPrefix(lower[p:], kw) {
				continue
			}
			for _, ri := range r.byKeyword[k] {
				if ru := r.rules[ri]; ru.find != nil || ru.anchored {
					atKeyword = append(atKeyword, [2]int{ri, p})
					continue
				}
				c := cand[ri]
				if len(c) == 0 || c[len(c)-1] != s {
					c = append(c, s)
				}
				if s+1 < len(segs) && segs[s+1].start <= p && segs[s+1].line == segs[s].line {
					c = append(c, s+1)
				}
				cand[ri] = c
			}
		}
	}

	var spans []span
	for ri, c := range cand {
		if len(c) == 0 {
			continue
		}
		ru := r.rules[ri]
		slices.Sort(c)
		c = slices.Compact(c)
		done := -1 // multi-line rules: text before this was searched already
		for _, s := range c {
			start, end := segs[s].start, segs[s].end
			if ru.multiline {
				start = max(segs[s].lineStart, done)
				end = min(len(text), start+multilineWindow)
				if start >= end {
					continue
				}
				done = end
			}
			spans = r.match(spans, ru, text, start, end)
		}
	}
	for _, c := range atKeyword {
		ru, p := r.rules[c[0]], c[1]
		if ru.find != nil {
			for _, sp := range ru.find(text, p) {
				spans = append(spans, span{sp[0], sp[1], ru})
			}
			continue
		}
		if ru.pre != nil && !ru.pre(text, p) {
			continue
		}
		end := strings.IndexByte(text[p:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += p
		}
		end = min(end, p+maxSegment)
		// Most keywords start no match ("the api key is"): find out on a
		// short window, since the matcher's cost grows with the input even
		// when it fails at once. A match that reaches the end of the short
		// window may go on, so it is redone on the whole line.
		if short := p + anchoredProbe; short < end {
			m := ru.re.FindStringIndex(text[p:short])
			if m == nil {
				continue
			}
			if p+m[1] < short {
				end = short
			}
		}
		spans = r.match(spans, ru, text, p, end)
	}
	spans = dropMasked(text, spans)
	if len(spans) == 0 {
		return text, 0
	}
	spans = merge(spans)

	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, sp := range spans {
		b.WriteString(text[last:sp.start])
		b.WriteString("[REDACTED:")
		b.WriteString(sp.rule.id)
		b.WriteString("]")
		last = sp.end
	}
	b.WriteString(text[last:])
	return b.String(), len(spans)
}

// match runs ru on text[start:end] and appends what it finds.
func (r *Redactor) match(spans []span, ru *rule, text string, start, end int) []span {
	win := text[start:end]
	for _, m := range ru.re.FindAllStringSubmatchIndex(win, -1) {
		// Like gitleaks, drop newlines the pattern picked up at either end.
		ms, me := m[0], m[1]
		for ms < me && win[ms] == '\n' {
			ms++
		}
		for me > ms && win[me-1] == '\n' {
			me--
		}
		ss, se := ms, me
		switch {
		case ru.secretGroup > 0 && 2*ru.secretGroup+1 < len(m):
			ss, se = m[2*ru.secretGroup], m[2*ru.secretGroup+1]
		case ru.secretGroup == 0:
			for g := 1; 2*g+1 < len(m); g++ {
				if g == ru.keyGroup || g < len(ru.repeated) && ru.repeated[g] {
					continue
				}
				if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
					ss, se = m[2*g], m[2*g+1]
					break
				}
			}
		}
		if ss < 0 || se <= ss {
			continue
		}
		secret := win[ss:se]
		if ru.entropy > 0 && entropy(secret) <= ru.entropy {
			continue
		}
		if ru.accept != nil {
			c := candidate{secret: secret}
			ks := start + m[0]
			if ru.keyGroup > 0 && m[2*ru.keyGroup] >= 0 {
				// The key may begin before the match: DB_ in DB_PASSWORD.
				ks = start + m[2*ru.keyGroup]
				for ks > 0 && isKeyByte(text[ks-1]) {
					ks--
				}
				c.key = text[ks : start+m[2*ru.keyGroup+1]]
			}
			if ks > 0 {
				c.prev = text[ks-1]
				c.before = text[max(0, ks-64):ks]
			}
			c.after = text[start+se : min(len(text), start+se+64)]
			n := ru.accept(c)
			if n <= 0 {
				continue
			}
			se = ss + min(n, se-ss)
		}
		if len(ru.allow) > 0 || ru.gitleaks {
			f := finding{secret: secret, match: win[ms:me], line: lineAt(text, start+ms)}
			if ru.gitleaks && allowed(r.global, f) || allowed(ru.allow, f) {
				continue
			}
		}
		spans = append(spans, span{start + ss, start + se, ru})
	}
	return spans
}

// rank orders rules that found the same span, to choose the one the mask
// names: specific rules first (gitleaks' before koban's), then koban's generic
// rules (which say what kind of secret it was) before gitleaks'
// generic-api-key.
func (ru *rule) rank() int {
	switch {
	case !ru.generic && ru.gitleaks:
		return 0
	case !ru.generic:
		return 1
	case !ru.gitleaks:
		return 2
	}
	return 3
}

// merge sorts spans and joins overlapping ones. The mask of a joined span
// names its most specific rule (a github-app-token inside a url-password), and
// of those the one of its earliest, longest part.
func merge(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		if c := cmp.Compare(b.end, a.end); c != 0 {
			return c
		}
		if c := cmp.Compare(a.rule.rank(), b.rule.rank()); c != 0 {
			return c
		}
		return cmp.Compare(a.rule.order, b.rule.order)
	})
	out := spans[:1]
	for _, sp := range spans[1:] {
		cur := &out[len(out)-1]
		if sp.start < cur.end {
			cur.end = max(cur.end, sp.end)
			if sp.rule.rank() < cur.rule.rank() {
				cur.rule = sp.rule
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}

// dropMasked removes spans that touch a mask already in text, so that
// redacting masked text again changes nothing.
func dropMasked(text string, spans []span) []span {
	const prefix = "[REDACTED:"
	var masks [][2]int
	for off := 0; ; {
		i := strings.Index(text[off:], prefix)
		if i < 0 {
			break
		}
		s := off + i
		e := strings.IndexByte(text[s:], ']')
		if e < 0 {
			break
		}
		masks = append(masks, [2]int{s, s + e + 1})
		off = s + e + 1
	}
	if len(masks) == 0 {
		return spans
	}
	return slices.DeleteFunc(spans, func(sp span) bool {
		for _, m := range masks {
			if sp.start < m[1] && m[0] < sp.end {
				return true
			}
		}
		return false
	})
}

// segment is a line of the text, or a piece of a long line.
type segment struct {
	start, end int
	lineStart  int
	line       int
}

// segments cuts text into lines, and long lines into overlapping pieces of at
// most maxSegment bytes.
func segments(text string) []segment {
	segs := make([]segment, 0, strings.Count(text, "\n")+1)
	line := 0
	for ls := 0; ls <= len(text); line++ {
		le := strings.IndexByte(text[ls:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += ls
		}
		for s := ls; ; s += maxSegment - segmentOverlap {
			e := min(le, s+maxSegment)
			segs = append(segs, segment{start: s, end: e, lineStart: ls, line: line})
			if e == le {
				break
			}
		}
		ls = le + 1
	}
	return segs
}

// isKeyByte reports whether c can be part of a configuration key.
func isKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
}

// lineAt returns the line of text that contains position p.
func lineAt(text string, p int) string {
	s := strings.LastIndexByte(text[:p], '\n') + 1
	e := strings.IndexByte(text[p:], '\n')
	if e < 0 {
		return text[s:]
	}
	return text[s : p+e]
}

// asciiLower lower-cases ASCII letters only, so that byte offsets in the
// result are offsets in s (strings.ToLower may change the length of some
// non-ASCII characters).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// entropy is the Shannon entropy of s in bits per byte, as gitleaks computes
// it for its thresholds.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var e float64
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			e -= p * math.Log2(p)
		}
	}
	return e
}
